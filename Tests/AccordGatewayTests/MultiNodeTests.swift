import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Three `accord serve` processes on one PostgreSQL database, load spread over them, and the
/// node signing checkpoints killed with SIGKILL (issue 16): nothing acknowledged is lost or
/// doubled, the log stays one dense tree that verifies, and another node signs on.
@Suite(.needsPostgreSQLServer, .serialized) struct MultiNodeTests {
    @Test func threeNodesServeThroughTheLossOfTheCheckpointSigner() async throws {
        let served = try ServedGateway("multi-node", yaml: "audit: {checkpoint_interval_seconds: 1}")
        defer { served.remove() }
        try await PostgresCluster.with { cluster in
            let ports = [served.port, try FreePort.find(), try FreePort.find()]
            var nodes: [Int: BackgroundProcess] = [:]
            defer { for node in nodes.values where kill(node.processIdentifier, 0) == 0 { kill(node.processIdentifier, SIGKILL) } }
            for port in ports {
                nodes[port] = try BackgroundProcess(served.accord, ["serve", "--config", served.config.path, "--database", cluster.url,
                                                                    "--listen", "127.0.0.1:\(port)"])
            }
            for port in ports { #expect(try await Self.waitUntilServing(served, port: port), "node on \(port)") }

            var acknowledged = try await Self.send(served, count: 9, over: ports)
            let reader = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            let holder = try #require(try await Self.leaseHolderPID(cluster))
            let victim = try #require(nodes.first { $0.value.processIdentifier == holder }, "the lease is held by one of the three nodes")
            let before = try await reader.latestCheckpoint()?.sequence ?? 0
            kill(victim.value.processIdentifier, SIGKILL)
            _ = await victim.value.finish()
            let survivors = ports.filter { $0 != victim.key }
            acknowledged += try await Self.send(served, count: 6, over: survivors)

            let leaves = try await reader.leafCount()
            #expect(await eventuallyHolds(within: .seconds(60)) {
                guard let latest = try await reader.latestCheckpoint() else { return false }
                return latest.sequence > before && latest.size >= leaves
            }, "another node signs the next checkpoint, covering what was appended after the kill")
            #expect(try await Self.leaseHolderPID(cluster) != victim.value.processIdentifier)

            for port in survivors { kill(nodes[port]!.processIdentifier, SIGTERM) }
            for port in survivors { _ = await nodes[port]!.finish() }

            #expect(acknowledged == 15, "every node took its share while it ran")
            let inbox = try await reader.inbox(recipient: "nz.police", states: [.pending, .delivered], afterSequence: 0, limit: 1000)
            #expect(inbox.count == acknowledged, "every acknowledged message in its recipient's inbox")
            #expect(Set(inbox.map(\.delivery.messageID)).count == inbox.count, "and each once")
            #expect(inbox.map(\.sequence) == Array(1 ... Int64(inbox.count)), "inbox sequences dense across nodes")
            let verify = try await ExternalProcess.run(served.accord, [
                "audit", "verify", "--db", cluster.url, "--key", served.pki.gatewaySigningKey.path,
            ])
            #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
            #expect(verify.standardOutput.hasPrefix("verified: "), "\(verify.standardOutput)")
        }
    }

    /// `count` messages from nz.immigration to nz.police, spread round-robin over `ports`, a few
    /// at a time; how many the gateways acknowledged.
    private static func send(_ served: ServedGateway, count: Int, over ports: [Int]) async throws -> Int {
        let content = served.directory.appendingPathComponent("referral.json")
        try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0 ..< count {
                group.addTask {
                    let sent = try await ExternalProcess.run(served.accord, [
                        "send", "--as", "nz.immigration", "--gateway", "localhost:\(ports[n % ports.count])", "--pki", served.pki.directory.path,
                        "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                    ])
                    return sent.status == 0
                }
            }
            var acknowledged = 0
            for try await ok in group where ok { acknowledged += 1 }
            return acknowledged
        }
    }

    private static func leaseHolderPID(_ cluster: PostgresCluster) async throws -> Int32? {
        let output = try await ExternalProcess.run("psql", [cluster.url, "-Atc", "SELECT holder FROM checkpoint_lease WHERE expires_at > now()"])
        let parts = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/")
        return parts.count == 3 ? Int32(parts[1]) : nil
    }

    private static func waitUntilServing(_ served: ServedGateway, port: Int) async throws -> Bool {
        await eventuallyHolds(within: .seconds(60)) {
            try await ExternalProcess.run("curl", [
                "--silent", "--max-time", "2", "--cacert", served.pki.caCertificate.path, "--cert", served.pki.agencyTLSCertificate("nz.police").path,
                "--key", served.pki.agencyTLSKey("nz.police").path, "https://localhost:\(port)/healthz",
            ]).status == 0
        }
    }
}
