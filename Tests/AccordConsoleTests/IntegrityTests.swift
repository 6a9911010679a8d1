import AccordAudit
import AccordConsole
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import Testing

/// Verification of the log from the console: started by a form, run in the background, its
/// progress and result on a page of its own.
@Suite struct IntegrityTests {
    @Test func aVerificationRunsInTheBackgroundAndEndsIntact() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let written = Mutex<UInt64>(0)
        try await fixture.test { client in
            // Every leaf the gateway's traffic wrote, all under its last checkpoint.
            let leaves = try await fixture.store.leafCount()
            written.withLock { $0 = leaves }
            let (status, page) = try await client.page("/integrity", ConsoleFixture.auditor)
            #expect(status == .ok)
            #expect(page.contains("verifies with the audit key"))
            #expect(!page.contains("Last verification"))
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (started, location) = try await client.redirect("/integrity/verify", ConsoleFixture.auditor, [("csrf", token)])
            #expect(started == .seeOther)
            #expect(location == "/integrity/runs/1")
            let (running, runPage) = try await client.page("/integrity/runs/1", ConsoleFixture.auditor)
            #expect(running == .ok)
            #expect(runPage.contains("<progress id=\"verify-progress\""))
            #expect(runPage.contains("Started by <code>urn:accord:operator:auditor:auditor</code>"))
            let finished = try await ConsoleFixture.finishedRun(client, "/integrity/runs/1", ConsoleFixture.auditor)
            #expect(finished.contains("The log is intact."))
            #expect(finished.contains("\(leaves) leaves recomputed"))
            #expect(finished.contains("\(leaves) of \(leaves) leaves (100%)"))
            #expect(!finished.contains("http-equiv=\"refresh\""))
            let (_, after) = try await client.page("/integrity", ConsoleFixture.officer)
            #expect(after.contains("Last verification"))
            #expect(after.contains("The log is intact."))
            #expect(after.contains("started by <code>urn:accord:operator:auditor:auditor</code>"))
            let (missing, _) = try await client.page("/integrity/runs/99", ConsoleFixture.auditor)
            #expect(missing == .notFound)
        }
        let record = try #require(try await fixture.records(.auditQueried).first)
        #expect(record.actor == "urn:accord:operator:auditor:auditor")
        #expect(record.details == ["view": "integrity", "result": "intact", "leaves": String(written.withLock { $0 })])
    }

    @Test func aSecondStartShowsTheRunningOneWhichRefreshesUntilDone() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let gate = Gate()
        try await fixture.test(store: WrappedStore(fixture.store, gate: gate)) { client in
            let leaves = try await fixture.store.leafCount()
            let (_, page) = try await client.page("/integrity", ConsoleFixture.officer)
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (_, first) = try await client.redirect("/integrity/verify", ConsoleFixture.officer, [("csrf", token)])
            #expect(first == "/integrity/runs/1")
            let (_, running) = try await client.page("/integrity/runs/1", ConsoleFixture.officer)
            #expect(running.contains("<meta http-equiv=\"refresh\" content=\"2\">"))
            #expect(running.contains("0 of \(leaves) leaves (0%)"))
            #expect(running.contains("so far"))
            let (second, secondLocation) = try await client.redirect("/integrity/verify", ConsoleFixture.officer, [("csrf", token)])
            #expect(second == .seeOther)
            #expect(secondLocation == "/integrity/runs/1?already=1")
            let (_, already) = try await client.page("/integrity/runs/1?already=1", ConsoleFixture.officer)
            #expect(already.contains("already running"))
            let (_, overview) = try await client.page("/integrity", ConsoleFixture.officer)
            #expect(overview.contains("See its progress"))
            gate.open()
            let finished = try await ConsoleFixture.finishedRun(client, "/integrity/runs/1", ConsoleFixture.officer)
            #expect(finished.contains("The log is intact."))
            #expect(!finished.contains("already running"))
            let (_, next) = try await client.redirect("/integrity/verify", ConsoleFixture.officer, [("csrf", token)])
            #expect(next == "/integrity/runs/2")
            #expect(try await ConsoleFixture.finishedRun(client, "/integrity/runs/2", ConsoleFixture.officer).contains("The log is intact."))
        }
    }

    @Test func aTamperedLeafIsNamed() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        // Leaf 5 is today's referral to Police accepted (the traffic writes the set's activation,
        // then each day an acceptance and a pick-up), read back addressed to Customs.
        try await fixture.test(store: WrappedStore(fixture.store, alteredLeaf: 5)) { client in
            let (_, page) = try await client.page("/integrity", ConsoleFixture.auditor)
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (_, location) = try await client.redirect("/integrity/verify", ConsoleFixture.auditor, [("csrf", token)])
            let finished = try await ConsoleFixture.finishedRun(client, try #require(location), ConsoleFixture.auditor)
            #expect(finished.contains("The log does NOT verify."))
            #expect(finished.contains("leaf 5 was changed"))
            let (_, after) = try await client.page("/integrity", ConsoleFixture.auditor)
            #expect(after.contains("The log does NOT verify."))
        }
        #expect(try await fixture.records(.auditQueried).first?.details["result"] == "diverged")
    }

    @Test func verificationNeedsTheFormTokenAndTheRole() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (refused, _) = try await client.form("/integrity/verify", ConsoleFixture.officer, [])
            #expect(refused == .forbidden)
            let (_, page) = try await client.page("/agreements", ConsoleFixture.admin)
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (admin, _) = try await client.form("/integrity/verify", ConsoleFixture.admin, [("csrf", token)])
            #expect(admin == .forbidden)
            let (runPage, _) = try await client.page("/integrity/runs/1", ConsoleFixture.admin)
            #expect(runPage == .forbidden)
        }
        #expect(try await fixture.records(.auditQueried).isEmpty)
    }

    @Test func withoutItsServiceNoRunStarts() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let client = RouterClient(responder: try ConsoleRoutes.router(environment: fixture.environment).buildResponder())
        try await fixture.store.whileRunning {
            try await fixture.start()
            let (_, page) = try await client.page("/integrity", ConsoleFixture.auditor)
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (status, body) = try await client.form("/integrity/verify", ConsoleFixture.auditor, [("csrf", token)])
            #expect(status == .serviceUnavailable)
            #expect(body.contains("verification service is not running"))
        }
    }
}
