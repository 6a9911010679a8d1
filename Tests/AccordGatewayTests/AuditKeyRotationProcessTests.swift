import AccordAudit
import AccordCrypto
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord keys rotate audit` as an administrator runs it: once with the gateway stopped, once
/// while `accord serve` runs (SIGHUP); `accord audit verify` then passes over the log that spans
/// both rotations with the first key and with the last, and a gateway whose key was swapped
/// without a rotation refuses to start.
@Suite(.serialized, .needs("curl", fromPackage: "curl"), .needsPython) struct AuditKeyRotationProcessTests {
    @Test func theAuditKeyRotatesTwiceAndTheLogVerifiesFromItsFirstLeaf() async throws {
        let served = try ServedGateway("rotate-audit")
        defer { served.remove() }
        let (directory, pki, database, config, accord) = (served.directory, served.pki, served.database, served.config, served.accord)
        let firstKey = directory.appendingPathComponent("first-audit-key.pem")
        try FileManager.default.copyItem(at: pki.gatewaySigningKey, to: firstKey)

        func serve() async throws -> BackgroundProcess {
            let server = try served.start()
            guard try await served.waitUntilServing(server) else {
                kill(server.processIdentifier, SIGKILL)
                throw GatewayDidNotStart()
            }
            return server
        }
        func keys() async throws -> String {
            try await served.curl("/v1/keys").standardOutput
        }
        func stop(_ server: BackgroundProcess) async {
            kill(server.processIdentifier, SIGTERM)
            let exit = await server.finish()
            #expect(exit.status == 0, "\(exit.standardError)")
        }
        func verify(with key: URL) async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(accord, ["audit", "verify", "--db", database, "--origin", "accord.local/audit", "--key", key.path])
        }

        // A first run writes leaves and checkpoints under the first key.
        await stop(try await serve())

        // Stopped: the command makes the change in the database itself.
        let offline = try await ExternalProcess.run(accord, ["keys", "rotate", "audit", "--config", config.path])
        #expect(offline.status == 0 && offline.standardOutput.contains("signed by both keys"), "\(offline.standardOutput)\(offline.standardError)")

        // Running: the command signals the gateway, which makes the change.
        let server = try await serve()
        let before = try await keys()
        let online = try await ExternalProcess.run(accord, ["keys", "rotate", "audit", "--config", config.path])
        #expect(online.status == 0 && online.standardOutput.contains("rotated: audit leaf"), "\(online.standardOutput)\(online.standardError)")
        let after = try await keys()
        #expect(before != after && after.contains("audit_verifier_key"), "GET /v1/keys still names the previous key")
        await stop(server)

        for key in [firstKey, pki.gatewaySigningKey] {
            let verified = try await verify(with: key)
            #expect(verified.status == 0 && verified.standardOutput.contains("verified:"), "\(verified.standardOutput)\(verified.standardError)")
        }
        let store = try SQLiteStore.open(path: database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        #expect(try await store.query(AuditQuery(events: [.auditKeyRotated])).count == 2)

        // The independent verifier follows the same chain, from the first key, over a filtered export.
        let export = directory.appendingPathComponent("export.jsonl")
        let exported = try await ExternalProcess.run(accord, [
            "audit", "export", "--db", database, "--origin", "accord.local/audit", "--key", pki.gatewaySigningKey.path,
            "--event", "gateway.started", "--output", export.path,
        ])
        try #require(exported.status == 0, "\(exported.standardError)")
        let first = try NoteVerifier(name: "accord.local/audit", publicKey: PrivateKey(pemFile: firstKey.path).publicKey).verifierKey
        let python = try await ExternalProcess.python("audit_verify.py", [export.path, "--verifier-key", first])
        #expect(python.status == 0 && python.standardOutput.contains("verified:"), "\(python.standardOutput)\(python.standardError)")

        // The binding key, rotated while the gateway is stopped: the next start names both.
        let binding = try await ExternalProcess.run(accord, ["keys", "rotate", "binding", "--config", config.path])
        #expect(binding.status == 0 && binding.standardOutput.contains("no gateway is running"), "\(binding.standardOutput)\(binding.standardError)")
        let restarted = try await serve()
        #expect(try await keys().contains("\"previous_binding\":[{"))
        await stop(restarted)

        // A key swapped in by hand, with no rotation, would fork the log's trust: the gateway refuses it.
        try PrivateKey.generate(.edDSA).pemPKCS8().write(to: pki.gatewaySigningKey, atomically: true, encoding: .utf8)
        let refused = try BackgroundProcess(accord, ["serve", "--config", config.path])
        let exit = await refused.finish()
        #expect(exit.status != 0 && exit.standardError.contains("does not sign the audit log's latest checkpoint"), "\(exit.standardError)")
    }
}
