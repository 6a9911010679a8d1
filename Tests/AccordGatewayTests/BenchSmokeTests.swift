import AccordCore
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import AccordTestSupport
import Foundation
import Testing

/// `accord bench --spawn` end to end: a gateway child process over a throwaway PKI, load over
/// real mTLS connections, every message accepted, the JSON report readable, the child stopped.
@Suite struct BenchSmokeTests {
    struct Report: Decodable {
        struct Run: Decodable {
            let recipients: Int
            let mode: String
            let sent: Int
            let accepted: Int
            let other: [String: Int]
            let latencyMs: [String: Double]
        }

        struct Memory: Decodable {
            let connections: Int
            let residentBytesWithConnections: Int
        }

        let runs: [Run]
        let memory: Memory?
    }

    @Test func spawnedGatewayAcceptsEveryMessage() async throws {
        let directory = try PackageRoot.temporaryDirectory("bench")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = PackageRoot.url.appendingPathComponent("Agreements")
        let policy = try ActivePolicy(directory: agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self)
        let pki = DevelopmentPKI(directory: directory.appendingPathComponent("pki"))
        _ = try pki.ensure(agencies: policy.current.policy.set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }
            .sorted { $0.id < $1.id })

        let output = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "bench", "--spawn", "--pki", pki.directory.path, "--agreements", agreements.path,
            "--messages", "200", "--recipients", "1,4", "--connections", "8", "--warmup", "0",
            "--hold-connections", "20", "--json",
        ])
        #expect(output.status == 0, "\(output.standardError)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(Report.self, from: Data(output.standardOutput.utf8))
        #expect(report.runs.map(\.recipients) == [1, 4])
        for run in report.runs {
            #expect(run.mode == "closed")
            #expect(run.sent == 200)
            #expect(run.accepted == 200, "recipients \(run.recipients): \(run.other)")
            #expect(run.other.isEmpty)
            #expect((run.latencyMs["p50"] ?? 0) > 0)
            #expect((run.latencyMs["p99"] ?? 0) >= (run.latencyMs["p50"] ?? 0))
        }
        #expect(report.memory?.connections == 20)
        #expect((report.memory?.residentBytesWithConnections ?? 0) > 0)
    }
}
