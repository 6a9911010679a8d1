import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord keys rotate audit` as an administrator runs it on PostgreSQL, with two `accord serve`
/// nodes sharing the certificates directory (issue 16): the command records the rotation in the
/// database, every node takes the new key up from its directory, the rotation is one leaf, the
/// checkpoints after it are the new key's, and `accord audit verify` follows the rotation from
/// the first key as from the new one.
@Suite(.needsPostgreSQLServer, .needs("curl", fromPackage: "curl"), .serialized) struct MultiNodeAuditKeyRotationTests {
    @Test func theAuditKeyRotatesWhileTwoNodesServeAndTheLogVerifiesWithEitherKey() async throws {
        let served = try ServedGateway("multi-node-audit-key", yaml: "audit: {checkpoint_interval_seconds: 1}\ntrust: {check_seconds: 1}")
        defer { served.remove() }
        let firstKey = served.directory.appendingPathComponent("first-audit-key.pem")
        try FileManager.default.copyItem(at: served.pki.gatewaySigningKey, to: firstKey)
        try await PostgresCluster.with { cluster in
            let store = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            let statuses = try await ServedNodes.with(served, count: 2, database: cluster.url) { nodes in
                try #require(await nodes.waitUntilServing(), "two nodes serving")
                let before = try await nodes.curl("/v1/keys", port: nodes.ports[0]).standardOutput

                let rotated = try await ExternalProcess.run(served.accord, [
                    "keys", "rotate", "audit", "--config", served.config.path, "--database", cluster.url,
                ])
                #expect(rotated.status == 0 && rotated.standardOutput.contains("signed by both keys"), "\(rotated.standardOutput)\(rotated.standardError)")
                let newKey = try NoteVerifier(name: "accord.local/audit", publicKey: PrivateKey(pemFile: served.pki.gatewaySigningKey.path).publicKey)

                for port in nodes.ports {
                    let takenUp = await eventuallyHolds(within: .seconds(60)) {
                        let keys = try await nodes.curl("/v1/keys", port: port).standardOutput
                        return keys != before && keys.contains(newKey.verifierKey)
                    }
                    #expect(takenUp, "GET /v1/keys on \(port) names the new audit key")
                }
                let content = served.directory.appendingPathComponent("referral.json")
                try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
                for port in nodes.ports {
                    let sent = try await ExternalProcess.run(served.accord, [
                        "send", "--as", "nz.immigration", "--gateway", "localhost:\(port)", "--pki", served.pki.directory.path,
                        "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                    ])
                    #expect(sent.status == 0, "\(sent.standardError)")
                }
                let signedByNewKey = await eventuallyHolds(within: .seconds(60)) {
                    guard let latest = try await store.latestCheckpoint(), latest.size == (try await store.leafCount()) else { return false }
                    _ = try Checkpoint.open(latest.note, verifier: newKey)
                    return true
                }
                #expect(signedByNewKey, "a node signs the checkpoints after the rotation with the new key")
            }
            #expect(statuses == [0, 0], "both nodes stop cleanly")
            #expect(try await store.query(AuditQuery(events: [.auditKeyRotated])).count == 1, "one rotation leaf, whatever the nodes did")
            for key in [firstKey, served.pki.gatewaySigningKey] {
                let verified = try await ExternalProcess.run(served.accord, ["audit", "verify", "--db", cluster.url, "--key", key.path])
                #expect(verified.status == 0 && verified.standardOutput.hasPrefix("verified: "), "\(verified.standardOutput)\(verified.standardError)")
            }
        }
    }
}
