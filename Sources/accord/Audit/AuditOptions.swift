import AccordAudit
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// Where the log is and which key vouches for it. `--verifier-key` lets someone without the
/// gateway's private key (a privacy officer, the Commissioner) verify against the public key.
struct AuditOptions: ParsableArguments {
    @Option(help: "The gateway database: a SQLite file, or a postgres:// URL.")
    var db = "var/accord.sqlite"

    @Option(help: "The log's origin (checkpoint key name).")
    var origin = AuditDefaults.origin

    @Option(help: "The gateway's Ed25519 audit key (PKCS#8 PEM); its public half verifies checkpoints.")
    var key = "Certificates/dev/gateway/signing-key.pem"

    @Option(name: .customLong("verifier-key"), help: "A C2SP verifier key (name+keyid+base64) to use instead of --key.")
    var verifierKey: String?

    func verifier() throws -> NoteVerifier {
        if let verifierKey { return try NoteVerifier(verifierKey: verifierKey) }
        return try NoteVerifier(name: origin, publicKey: PrivateKey(pemFile: key).publicKey)
    }

    /// The gateway's database, read-only: a SQLite file or, for a `postgres://` URL, PostgreSQL.
    func openStore() async throws -> any ServedStorage {
        try await DatabaseLocation(db).openForReading(origin: verifierKeyName)
    }

    private var verifierKeyName: String {
        verifierKey.flatMap { $0.split(separator: "+").first.map(String.init) } ?? origin
    }
}

enum AuditDefaults {
    static let origin = "accord.local/audit"
}
