import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordServer

/// The operations listener as a probe uses it, with curl and no certificate: `/livez`,
/// `/readyz` turning 503 when a check fails and back when it is fixed, nothing else served;
/// and the gauges an operator alerts on, in `/metrics`.
@Suite(.needs("curl", fromPackage: "curl")) struct OperationsListenerTests {
    @Test func probesAnswerOverPlainHTTPWithoutACertificateAndNothingElseIsServed() async throws {
        let gateway = try await LiveGateway.start(operations: true)
        try await gateway.closing {
            let live = try await gateway.curlOperations("/livez")
            #expect(live.httpStatus == 200 && live.contentType == "application/json" && live.body == #"{"status":"ok"}"#, "\(live.standardOutput)")

            let ready = try await gateway.curlOperations("/readyz")
            #expect(ready.httpStatus == 200, "\(ready.standardOutput)")
            let body = try Self.json(ready.body)
            #expect(body["status"] as? String == "ready" && (body["failing"] as? [String]) == [])
            let checks = try #require(body["checks"] as? [String: [String: Any]])
            #expect(Set(checks.keys) == ["database", "audit-key", "agreements", "checkpoints", "crls"])
            #expect(checks.values.allSatisfy { $0["ok"] as? Bool == true && $0["detail"] is String }, "\(checks)")

            // Only the probes: the agency API and metrics stay behind mutual TLS.
            for path in ["/metrics", "/healthz", "/v1/inbox", "/"] {
                #expect(try await gateway.curlOperations(path).httpStatus == 404, "\(path) is served without a certificate")
            }
            let post = try await gateway.curlOperations("/readyz", ["-X", "POST"])
            #expect(post.httpStatus == 405, "\(post.standardOutput)")
            // And no TLS there: a TLS client gets no handshake.
            let port = try #require(gateway.operationsPort)
            let tls = try await ExternalProcess.run("curl", ["--silent", "--max-time", "5", "--insecure", "https://127.0.0.1:\(port)/livez"])
            #expect(tls.status != 0)
        }
    }

    /// A lapsed CRL published and the trust reloaded: `/readyz` is 503 naming `crls`, and
    /// ready again once a fresh CRL is loaded. `/livez` stays 200 throughout: a lapsed CRL
    /// is no reason to restart the gateway.
    @Test func readinessTurnsUnavailableWhileACRLHasLapsed() async throws {
        let gateway = try await LiveGateway.start(operations: true)
        try await gateway.closing {
            // A machine running the whole suite at once can be slow to answer the first probe.
            var before = try await gateway.curlOperations("/readyz")
            _ = await eventuallyHolds(within: .seconds(60)) {
                before = try await gateway.curlOperations("/readyz")
                return before.httpStatus == 200
            }
            #expect(before.httpStatus == 200, "\(before.standardOutput)\(before.standardError)")
            try TrustReloadTests.publishCRL(gateway.pki, revoking: [], lastUpdate: Date().addingTimeInterval(-2 * 86_400),
                                            nextUpdate: Date().addingTimeInterval(-60))
            guard case .reloaded = await gateway.server.reloadTrust(by: "operator:test") else {
                Issue.record("the lapsed CRL was not loaded")
                return
            }
            let lapsed = try await gateway.curlOperations("/readyz")
            #expect(lapsed.httpStatus == 503, "\(lapsed.standardOutput)")
            let body = try Self.json(lapsed.body)
            #expect(body["status"] as? String == "not-ready" && (body["failing"] as? [String]) == ["crls"], "\(body)")
            let crls = try #require((body["checks"] as? [String: [String: Any]])?["crls"])
            #expect(crls["ok"] as? Bool == false && (crls["detail"] as? String)?.contains("1 of 1 CRLs past their nextUpdate") == true, "\(crls)")
            // Nothing that names a CA on an unauthenticated listener.
            #expect(!lapsed.body.contains("Accord Development Root CA"))
            #expect(try await gateway.curlOperations("/livez").httpStatus == 200)
            // Logged once at the change, not at every probe.
            _ = try await gateway.curlOperations("/readyz")
            let changes = gateway.logs.all.filter { $0.contains("readiness changed") }
            #expect(changes.count == 1 && changes[0].hasPrefix("warning") && changes[0].contains("failing=crls"), "\(changes)")

            try TrustReloadTests.publishCRL(gateway.pki, revoking: [])
            _ = await gateway.server.reloadTrust(by: "operator:test")
            let after = try await gateway.curlOperations("/readyz")
            #expect(after.httpStatus == 200, "\(after.standardOutput)\(after.standardError)")
            #expect(gateway.logs.all.contains { $0.hasPrefix("notice readiness changed: ready") })
        }
    }

    /// `accord_checkpoint_age_seconds` and `accord_deliveries_held`, read from the database at
    /// the scrape: a message held for the privacy officer shows at once.
    @Test func metricsShowTheCheckpointAgeAndTheHeldDeliveries() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            func gauge(_ name: String) async throws -> Double? {
                let metrics = try await gateway.curl("/metrics", operator: "auditor")
                return metrics.body.split(separator: "\n").first { $0.hasPrefix("\(name) ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(try await gauge("accord_deliveries_held") == 0)
            let age = try #require(try await gauge("accord_checkpoint_age_seconds"), "no accord_checkpoint_age_seconds in /metrics")
            #expect(age >= 0 && age < 20, "\(age)")

            // Police to Immigration NZ for victim protection is held for the privacy officer.
            let content = gateway.directory.appendingPathComponent("victim.json")
            try Data(#"{"subject": {"family_name": "Tupou", "visa_number": "V1"}, "victim_status": "suspected-victim"}"#.utf8).write(to: content)
            let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                "send", "--as", "nz.police", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path, "--to", "nz.immigration",
                "--type", "referral", "--purpose", "victim-protection", "--classification", "SENSITIVE", content.path,
            ])
            try #require(sent.status == 0, "accord send: \(sent.standardError)")
            #expect(try await gauge("accord_deliveries_held") == 1)
        }
    }

    // MARK: The checks, decided without a gateway

    @Test func aCheckpointIsStaleOnlyWhenLeavesHaveWaitedTwiceTheInterval() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func status(leaves: UInt64, covered: UInt64, checkpoint: TimeInterval?, firstUncovered: TimeInterval?) -> CheckpointStatus {
            CheckpointStatus(leaves: leaves, checkpointedLeaves: covered, lastCheckpoint: checkpoint.map { now.addingTimeInterval(-$0) },
                             firstUncoveredLeaf: firstUncovered.map { now.addingTimeInterval(-$0) })
        }
        // Every leaf covered: ready however old the checkpoint (an idle gateway signs nothing).
        #expect(Readiness.checkpoints(status(leaves: 5, covered: 5, checkpoint: 86_400, firstUncovered: nil), interval: 10, now: now).ok)
        #expect(Readiness.checkpoints(status(leaves: 0, covered: 0, checkpoint: nil, firstUncovered: nil), interval: 10, now: now).ok)
        // A leaf after a day's idleness is not stale at once: its wait counts, not the checkpoint's age.
        let fresh = status(leaves: 6, covered: 5, checkpoint: 86_400, firstUncovered: 3)
        #expect(fresh.age(at: now) == 3 && Readiness.checkpoints(fresh, interval: 10, now: now).ok)
        // Waiting twice the interval: the writer has stopped signing.
        let stale = status(leaves: 9, covered: 5, checkpoint: 86_400, firstUncovered: 20)
        let check = Readiness.checkpoints(stale, interval: 10, now: now)
        #expect(!check.ok && check.detail.contains("4 leaves waiting 20 s"), "\(check.detail)")
        // Before the first checkpoint, the first leaf's wait.
        #expect(!Readiness.checkpoints(status(leaves: 3, covered: 0, checkpoint: nil, firstUncovered: 25), interval: 10, now: now).ok)
    }

    @Test func aCRLIsFreshUntilItsNextUpdateAndOneWithoutNeverLapses() {
        let now = Date()
        typealias List = TrustState.RevocationList
        #expect(Readiness.crls([], now: now).ok)
        #expect(Readiness.crls([List(issuer: "A", nextUpdate: now.addingTimeInterval(60)), List(issuer: "B", nextUpdate: nil)], now: now).ok)
        let lapsed = Readiness.crls([List(issuer: "A", nextUpdate: now.addingTimeInterval(60)), List(issuer: "B", nextUpdate: now)], now: now)
        #expect(!lapsed.ok && lapsed.detail.hasPrefix("1 of 2 CRLs") && !lapsed.detail.contains("B"))
    }

    @Test func theDatabaseCheckReportsTheWritersLastFailure() {
        #expect(Readiness.database(DatabaseHealth(problem: nil)).ok)
        let failed = Readiness.database(DatabaseHealth(problem: "the last write failed (database-failed)"))
        #expect(!failed.ok && failed.name == "database" && failed.detail.contains("database-failed"))
    }

    /// Under `accord demo --at` the gateway keeps its own time: readiness asks whether an
    /// agreement is in effect on that day, not on the wall clock's.
    @Test func agreementsAreInEffectByTheGatewaysClock() async throws {
        let before = try #require(ISO8601DateFormatter().date(from: "2001-01-01T00:00:00Z"))
        let early = try await LiveGateway.start(operations: true, now: { before })
        try await early.closing {
            let report = await early.server.readiness()
            let agreements = try #require(report.checks.first { $0.name == "agreements" })
            #expect(!agreements.ok && agreements.detail.hasPrefix("0 of "), "\(agreements.detail)")
        }
        let today = try await LiveGateway.start(operations: true)
        try await today.closing {
            #expect(await today.server.readiness().checks.first { $0.name == "agreements" }?.ok == true)
        }
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
    }
}
