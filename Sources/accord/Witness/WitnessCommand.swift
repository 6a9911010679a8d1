import AccordAudit
import AccordCrypto
import AccordServer
import AccordTLS
import ArgumentParser
import Foundation
import Logging

/// `accord witness`: runs a C2SP tlog-witness for one or more Accord gateways' logs, as an
/// agency or the Privacy Commissioner would beside their own systems (docs/audit.md,
/// "Running a witness").
struct WitnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Cosign a gateway's audit checkpoints that extend the last one cosigned, and refuse any other.")

    @Option(help: "host:port to listen on.")
    var listen = "127.0.0.1:8450"

    @Option(name: .customLong("tls-cert"), help: "The witness's TLS certificate chain (PEM, leaf first), from its operator's PKI.")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "The private key of --tls-cert (PEM).")
    var tlsKey: String?

    @Flag(name: .customLong("plain-http"), help: "Serve plain HTTP instead of TLS: only on loopback or behind a TLS terminator.")
    var plainHTTP = false

    @Option(help: "The witness's Ed25519 key (PKCS#8 PEM); made there if the file does not exist.")
    var key: String

    @Option(help: "The witness's key name, as its cosignatures carry it (e.g. witness.privacy.org.nz).")
    var name: String

    @Option(name: .customLong("log-key"), help: "A followed log's verifier key (name+keyid+base64); repeat for several logs.")
    var logKeys: [String] = []

    @Option(help: "Where the latest cosigned checkpoint of each log is kept.")
    var state = "var/witness"

    @Flag(name: .customLong("print-verifier-key"), help: "Print the witness's cosignature verifier key (for the gateway's log.witnesses) and exit.")
    var printVerifierKey = false

    func run() async throws {
        SignalMask.unblockControlSignals()
        let cosigner = try Cosigner(name: name, privateKey: try loadOrMakeKey())
        if printVerifierKey {
            print(cosigner.verifier.verifierKey)
            return
        }
        guard !logKeys.isEmpty else { throw ValidationError("give at least one --log-key: the verifier key of a log to witness") }
        var logs: [NoteVerifier] = []
        for text in logKeys {
            do { logs.append(try NoteVerifier(verifierKey: text)) } catch { throw ValidationError("--log-key '\(text)': \(error.message)") }
        }
        let tls: TLSContext?
        switch (tlsCertificate, tlsKey, plainHTTP) {
        case (let certificate?, let key?, false):
            do { tls = try WitnessTLS.serverContext(certificateFile: certificate, keyFile: key) } catch {
                throw ValidationError("\(error)")
            }
        case (nil, nil, true): tls = nil
        case (_, _, true): throw ValidationError("--plain-http serves no TLS: give it without --tls-cert and --tls-key")
        default: throw ValidationError("give --tls-cert and --tls-key (a certificate from your PKI for the name the gateway uses), or --plain-http")
        }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be host:port, e.g. 127.0.0.1:8450") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "accord-witness")
        let ledger = try WitnessLedger(directory: URL(fileURLWithPath: state), logs: logs, cosigner: cosigner)
        logger.notice("witness ready", metadata: ["name": "\(name)", "verifier_key": "\(cosigner.verifier.verifierKey)",
                                                  "logs": "\(logs.map(\.name))"])
        try await WitnessServer.run(ledger: ledger, host: String(parts[0]), port: port, tls: tls, logger: logger)
    }

    private func loadOrMakeKey() throws -> PrivateKey {
        if FileManager.default.fileExists(atPath: key) { return try PrivateKey(pemFile: key) }
        let made = try PrivateKey.generate(.edDSA)
        try FileManager.default.createDirectory(at: URL(fileURLWithPath: key).deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(try made.pemPKCS8().utf8).write(to: URL(fileURLWithPath: key), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        return made
    }
}
