import AccordCore
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord bench` against two `accord serve` nodes on one PostgreSQL database, as
/// Benchmarks/storage-backends.sh drives it: the connections spread over both nodes, every
/// message accepted and stored once, and the CPU of the nodes and of PostgreSQL reported.
@Suite(.needsPostgreSQLServer, .serialized) struct BenchNodesTests {
    struct Report: Decodable {
        struct Run: Decodable {
            let sent: Int, accepted: Int, other: [String: Int]
            let acceptedByTarget: [String: Int]?
            let targetCpuCores: Double?, databaseCpuCores: Double?, cpuMillisecondsPerMessage: Double?
        }
        let target: String
        let runs: [Run]
    }

    @Test func theLoadSpreadsOverTwoNodesAndCountsTheDatabasesCPU() async throws {
        let served = try ServedGateway("bench-nodes")
        defer { served.remove() }
        try await PostgresCluster.with { cluster in
            let ports = [served.port, try FreePort.find()]
            var nodes: [BackgroundProcess] = []
            defer { for node in nodes where kill(node.processIdentifier, 0) == 0 { kill(node.processIdentifier, SIGKILL) } }
            // One after the other, so that only the first records the agreement set at first start.
            for port in ports {
                nodes.append(try BackgroundProcess(served.accord, ["serve", "--config", served.config.path, "--database", cluster.url,
                                                                   "--listen", "127.0.0.1:\(port)"]))
                try #require(await Self.answers(served, port: port), "node on \(port) does not answer")
            }
            let targets = ports.map { "127.0.0.1:\($0)" }
            let output = try await ExternalProcess.run(served.accord, [
                "bench", "--target", targets.joined(separator: ","), "--pki", served.pki.directory.path,
                "--target-pid", "\(nodes[0].processIdentifier)", "--target-pid", "\(nodes[1].processIdentifier)",
                "--database-pid", "\(cluster.postmasterPID)",
                "--messages", "120", "--recipients", "1", "--connections", "6", "--warmup", "0", "--json",
            ])
            try #require(output.status == 0, "\(output.standardError)")
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            let report = try decoder.decode(Report.self, from: Data(output.standardOutput.utf8))
            #expect(report.target == targets.joined(separator: ","))
            let run = try #require(report.runs.first)
            #expect(run.sent == 120 && run.accepted == 120, "\(run.other)")
            let spread = try #require(run.acceptedByTarget, "no count by node")
            #expect(Set(spread.keys) == Set(targets) && spread.values.allSatisfy { $0 > 0 } && spread.values.reduce(0, +) == 120,
                    "both nodes take a share: \(spread)")
            #expect((run.targetCpuCores ?? 0) > 0 && (run.databaseCpuCores ?? 0) > 0, "the nodes' and PostgreSQL's CPU are measured")
            #expect((run.cpuMillisecondsPerMessage ?? 0) > 0)

            for node in nodes { kill(node.processIdentifier, SIGTERM) }
            for node in nodes { _ = await node.finish() }
            let reader = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            let inbox = try await reader.inbox(recipient: "nz.police", states: [.pending, .delivered], afterSequence: 0, limit: 1000)
            #expect(inbox.count == 120 && Set(inbox.map(\.delivery.messageID)).count == 120, "every accepted message stored once")
        }
    }

    /// Whether the node on `port` answers /healthz over mutual TLS within `timeout`.
    private static func answers(_ served: ServedGateway, port: Int, within timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let probe = try? await ExternalProcess.run("curl", [
                "--silent", "--max-time", "2", "--cacert", served.pki.caCertificate.path, "--cert", served.pki.agencyTLSCertificate("nz.police").path,
                "--key", served.pki.agencyTLSKey("nz.police").path, "https://localhost:\(port)/healthz",
            ])
            if probe?.status == 0 { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
