import AccordCore
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Push delivery from two `accord serve` nodes on one PostgreSQL database to one receiving
/// agency system (issue 16): one node at a time pushes the recipient (its push lease), so the
/// receiver gets the deliveries in inbox order, each once, and when that node is killed with
/// SIGKILL the other takes the recipient over and nothing is lost.
@Suite(.needsPostgreSQLServer, .needs("curl", fromPackage: "curl"), .serialized,
       .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct MultiNodePushTests {
    @Test func oneNodePushesARecipientInOrderAndAnotherTakesOverWhenItIsKilled() async throws {
        let setup = try PushDeliveryTests.Setup("multi-node-push")
        defer { setup.served.remove() }
        // A slow receiver: two nodes pushing at once would both be posting the oldest delivery.
        let receiver = try await setup.receiver.start(delayMilliseconds: 300)
        defer { kill(receiver.processIdentifier, SIGKILL) }
        try await PostgresCluster.with { cluster in
            let store = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            _ = try await ServedNodes.with(setup.served, count: 2, database: cluster.url) { nodes in
                try #require(await nodes.waitUntilServing(), "two nodes serving")
                for n in 0 ..< 6 { try await Self.send(setup, port: nodes.ports[n % 2]) }
                try #require(await eventually(timeout: .seconds(60)) { setup.receiver.posts.count >= 2 }, "pushing started")

                let holder = try #require(try await Self.pushLeaseHolder(cluster), "a node holds nz.police's push lease")
                let victim = try #require(nodes.processes.firstIndex { $0.processIdentifier == holder }, "the holder is one of the nodes")
                kill(holder, SIGKILL)
                let survivor = nodes.ports[1 - victim]
                for _ in 0 ..< 6 { try await Self.send(setup, port: survivor) }

                let all = await eventuallyHolds(within: .seconds(40)) {
                    try await store.deliveries(recipient: "nz.police", states: DeliveryState.allCases).allSatisfy { $0.state == .acknowledged }
                }
                #expect(all, "every delivery pushed and acknowledged after the holder was killed")
                #expect(try await Self.pushLeaseHolder(cluster) == nodes.processes[1 - victim].processIdentifier, "the survivor took the lease")
            }
            let order = try await store.inbox(recipient: "nz.police", states: DeliveryState.allCases, afterSequence: 0, limit: 100)
                .map(\.delivery.id)
            #expect(order.count == 12)
            #expect(setup.receiver.filed == Set(order), "nothing lost")
            let posted = setup.receiver.posts.map(\.deliveryID)
            var firstSeen: [DeliveryID] = []
            for id in posted where !firstSeen.contains(id) { firstSeen.append(id) }
            #expect(firstSeen == order, "received in inbox order")
            // At most the delivery in flight when its node was killed comes again, from the other.
            let repeated = Dictionary(grouping: posted, by: { $0 }).filter { $0.value.count > 1 }
            #expect(repeated.count <= 1 && repeated.values.allSatisfy { $0.count == 2 }, "each delivery posted once: \(repeated.mapValues(\.count))")
        }
    }

    private static func send(_ setup: PushDeliveryTests.Setup, port: Int) async throws {
        let sent = try await ExternalProcess.run(setup.served.accord, [
            "send", "--as", "nz.immigration", "--gateway", "localhost:\(port)", "--pki", setup.served.pki.directory.path,
            "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", setup.content.path,
        ])
        try #require(sent.status == 0, "\(sent.standardError)")
    }

    /// The pid of the node whose push lease for nz.police has not run out.
    private static func pushLeaseHolder(_ cluster: PostgresCluster) async throws -> Int32? {
        let output = try await ExternalProcess.run("psql", [
            cluster.url, "-Atc", "SELECT holder FROM push_lease WHERE recipient = 'nz.police' AND expires_at > now()",
        ])
        let parts = output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/")
        return parts.count == 3 ? Int32(parts[1]) : nil
    }
}
