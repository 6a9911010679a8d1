import AccordAudit
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// `accord witness` as a test's child process, its state in `directory`: over TLS with a
/// certificate for 127.0.0.1 from a CA of its own (the agency's PKI, made with the openssl
/// command), or over plain HTTP on loopback.
struct WitnessProcess {
    let directory: URL
    let name: String
    let port: Int
    let verifierKey: String
    let tls: Bool
    var key: URL { directory.appendingPathComponent("witness-key.pem") }
    var state: URL { directory.appendingPathComponent("witness-state") }
    /// The CA that issued the witness's TLS certificate: what the gateway pins.
    var ca: URL { directory.appendingPathComponent("witness-ca.pem") }
    var tlsCertificate: URL { directory.appendingPathComponent("witness-tls.pem") }
    var tlsKey: URL { directory.appendingPathComponent("witness-tls-key.pem") }
    var url: String { "\(tls ? "https" : "http")://127.0.0.1:\(port)" }
    var accord: String { PackageRoot.accordExecutable.path }
    /// The witness's entry in the gateway's `log.witnesses`, pinning `ca` over TLS.
    var configEntry: String {
        "{name: \(name), url: \"\(url)\", key: \"\(verifierKey)\", " + (tls ? "ca: \(ca.path)}" : "plain_http: true}")
    }

    /// Makes the witness's key with `accord witness --print-verifier-key`, as an agency would,
    /// and with `tls` its CA and server certificate.
    init(directory: URL, name: String, tls: Bool = false) async throws {
        self.directory = directory
        self.name = name
        self.tls = tls
        port = try FreePort.find()
        if tls { try await Self.makeCertificate(in: directory) }
        let printed = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "witness", "--key", directory.appendingPathComponent("witness-key.pem").path, "--name", name, "--print-verifier-key",
        ])
        guard printed.status == 0 else { throw WitnessDidNotStart(reason: printed.standardError) }
        verifierKey = printed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func start(following logKey: String) async throws -> BackgroundProcess {
        let transport = tls ? ["--tls-cert", tlsCertificate.path, "--tls-key", tlsKey.path] : ["--plain-http"]
        let process = try BackgroundProcess(accord, [
            "witness", "--listen", "127.0.0.1:\(port)", "--key", key.path, "--name", name, "--log-key", logKey, "--state", state.path,
        ] + transport)
        let trust = tls ? ["--cacert", ca.path] : []
        // Long enough for a machine busy with the whole suite; a witness that exits stops the wait.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, process.isRunning {
            if try await ExternalProcess.run("curl", ["--silent", "--fail", "--max-time", "2"] + trust + ["\(url)/livez"]).status == 0 {
                return process
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw WitnessDidNotStart(reason: (await process.finish()).standardError)
    }

    /// A CA and, under it, a server certificate for 127.0.0.1 and localhost, P-256, for two days.
    static func makeCertificate(in directory: URL) async throws {
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            .write(toFile: path("witness-tls.ext"), atomically: true, encoding: .utf8)
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path("witness-ca-key.pem"),
             "-out", path("witness-ca.pem"), "-days", "2", "-subj", "/CN=Witness Operator CA",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path("witness-tls-key.pem"),
             "-out", path("witness-tls.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("witness-tls.csr"), "-CA", path("witness-ca.pem"), "-CAkey", path("witness-ca-key.pem"),
             "-CAcreateserial", "-out", path("witness-tls.pem"), "-days", "2", "-extfile", path("witness-tls.ext")],
        ]
        for step in steps {
            let made = try await ExternalProcess.run("openssl", step)
            guard made.status == 0 else { throw WitnessDidNotStart(reason: "openssl \(step[0]): \(made.standardError)") }
        }
    }

    /// The size of the checkpoint the witness holds, read from its state directory.
    func cosignedSize() throws -> UInt64? {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: state.path)) ?? []
        guard let file = files.first(where: { $0.hasPrefix("checkpoint-") }) else { return nil }
        let note = try String(contentsOf: state.appendingPathComponent(file), encoding: .utf8)
        return try Checkpoint(text: SignedNote(parsing: note).text).size
    }
}

struct WitnessDidNotStart: Error {
    let reason: String
}

/// The gateway's log verifier key, as its operator hands it to witnesses and monitors.
func auditVerifierKey(_ pki: DevelopmentPKI) throws -> String {
    try NoteVerifier(name: "accord.local/audit", publicKey: PrivateKey(pemFile: pki.gatewaySigningKey.path).publicKey).verifierKey
}
