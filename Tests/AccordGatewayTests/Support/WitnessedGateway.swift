import AccordAudit
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// `accord witness` as a test's child process, its state in `directory`.
struct WitnessProcess {
    let directory: URL
    let name: String
    let port: Int
    let verifierKey: String
    var key: URL { directory.appendingPathComponent("witness-key.pem") }
    var state: URL { directory.appendingPathComponent("witness-state") }
    var url: String { "http://127.0.0.1:\(port)" }
    var accord: String { PackageRoot.accordExecutable.path }

    /// Makes the witness's key with `accord witness --print-verifier-key`, as an agency would.
    init(directory: URL, name: String) async throws {
        self.directory = directory
        self.name = name
        port = try FreePort.find()
        let printed = try await ExternalProcess.runDetached(PackageRoot.accordExecutable.path, [
            "witness", "--key", directory.appendingPathComponent("witness-key.pem").path, "--name", name, "--print-verifier-key",
        ])
        guard printed.status == 0 else { throw WitnessDidNotStart(reason: printed.standardError) }
        verifierKey = printed.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func start(following logKey: String) async throws -> BackgroundProcess {
        let process = try BackgroundProcess(accord, [
            "witness", "--listen", "127.0.0.1:\(port)", "--key", key.path, "--name", name, "--log-key", logKey, "--state", state.path,
        ])
        for _ in 0 ..< 100 {
            if try await ExternalProcess.runDetached("curl", ["--silent", "--fail", "--max-time", "2", "\(url)/livez"]).status == 0 {
                return process
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(process.processIdentifier, SIGKILL)
        throw WitnessDidNotStart(reason: (await process.finish()).standardError)
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
