import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// A PostgreSQL node whose audit key a rotation replaced, and which has not been given the new
/// key, says so on `/readyz` (the `audit-key` check) instead of serving on silently without
/// signing, and is ready again once the new key file is installed.
@Suite(.needsPostgreSQLServer, .needs("curl", fromPackage: "curl"), .serialized) struct StaleAuditKeyTests {
    @Test func aNodeLeftWithARotatedAwayKeyIsNotReadyUntilItHasTheNewOne() async throws {
        let operations = try FreePort.find()
        let served = try ServedGateway("stale-audit-key", operations: "127.0.0.1:\(operations)",
                                       yaml: "audit: {checkpoint_interval_seconds: 1}\ntrust: {check_seconds: 1}")
        defer { served.remove() }
        // Another machine's copy of the configuration and keys, where the administrator rotates.
        let elsewhere = try PackageRoot.temporaryDirectory("stale-audit-key-elsewhere")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        let copiedCertificates = elsewhere.appendingPathComponent("certs")
        try FileManager.default.copyItem(at: served.pki.directory, to: copiedCertificates)
        let copiedConfig = elsewhere.appendingPathComponent("accord.yaml")
        try String(contentsOf: served.config, encoding: .utf8).replacingOccurrences(of: served.pki.directory.path, with: copiedCertificates.path)
            .write(to: copiedConfig, atomically: true, encoding: .utf8)

        func readiness() async throws -> (status: String, body: String) {
            let body = served.directory.appendingPathComponent("readyz.json")
            let probe = try await ExternalProcess.run("curl", [
                "--silent", "--max-time", "2", "--write-out", "%{http_code}", "--output", body.path, "http://127.0.0.1:\(operations)/readyz",
            ])
            return (probe.standardOutput, (try? String(contentsOf: body, encoding: .utf8)) ?? "")
        }

        try await PostgresCluster.with { cluster in
            let statuses = try await ServedNodes.with(served, count: 1, database: cluster.url) { nodes in
                try #require(await nodes.waitUntilServing(), "the node serves")
                let ready = await eventuallyHolds(within: .seconds(60)) { try await readiness().status == "200" }
                let before = try await readiness().body
                #expect(ready, "ready before the rotation: \(before)")

                let rotated = try await ExternalProcess.run(served.accord, [
                    "keys", "rotate", "audit", "--config", copiedConfig.path, "--database", cluster.url,
                ])
                try #require(rotated.status == 0, "\(rotated.standardOutput)\(rotated.standardError)")
                let newKey = try NoteVerifier(name: "accord.local/audit",
                                              publicKey: PrivateKey(pemFile: copiedCertificates.appendingPathComponent("gateway/signing-key.pem").path).publicKey)
                let keyHash = newKey.verifierKey.split(separator: "+").dropLast().last.map(String.init) ?? "?"

                let stale = await eventuallyHolds(within: .seconds(60)) {
                    let answer = try await readiness()
                    return answer.status == "503" && answer.body.contains("\"audit-key\"") && answer.body.contains("rotated away")
                        && answer.body.contains(keyHash)
                }
                let rotatedAway = try await readiness().body
                #expect(stale, "not ready on the audit-key check: \(rotatedAway)")

                // The administrator installs the new key file on this node.
                try FileManager.default.removeItem(at: served.pki.gatewaySigningKey)
                try FileManager.default.copyItem(at: copiedCertificates.appendingPathComponent("gateway/signing-key.pem"), to: served.pki.gatewaySigningKey)
                let again = await eventuallyHolds(within: .seconds(60)) { try await readiness().status == "200" }
                let after = try await readiness().body
                #expect(again, "ready again with the new key: \(after)")
            }
            #expect(statuses == [0], "the node stops cleanly")
        }
    }
}
