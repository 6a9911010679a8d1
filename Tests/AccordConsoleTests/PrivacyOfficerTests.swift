import AccordCore
import AccordAudit
import AccordConsole
import AccordGateway
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// Audit search, export, flows and held messages, as a privacy officer.
@Suite struct PrivacyOfficerTests {
    @Test func subjectSearchAnswersWhoReceivedWhatAndIsItselfAudited() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, form) = try await client.page("/audit", ConsoleFixture.officer)
            let token = try #require(ConsoleFixture.csrf(in: form))
            let (status, body) = try await client.form("/audit", ConsoleFixture.officer, [
                ("csrf", token), ("subject", "passport= nz4455667 "), ("event", "message.delivered"), ("agency", "nz.police"),
            ])
            #expect(status == .ok)
            #expect(body.contains("3 record(s)"))
            #expect(body.contains("inz-police-investigations"))
            #expect(body.contains("included (checkpoint of"))
            #expect(!body.localizedCaseInsensitiveContains("4455667"), "the identifier is shown back")
        }
        let queried = try await fixture.records(.auditQueried)
        let record = try #require(queried.first)
        #expect(queried.count == 1)
        #expect(record.actor == "urn:accord:operator:privacy-officer:officer")
        let hash = fixture.subjectKey.hash(type: "passport", value: "NZ4455667")
        #expect(record.details["subject"] == "passport:\(hash.hmac)")
        #expect(record.details["events"] == "message.delivered")
        #expect(record.details["agency"] == "nz.police")
        // The identifier is nowhere in the log.
        let count = try await fixture.store.leafCount()
        for leaf in try await fixture.store.leaves(in: 0 ..< count) {
            #expect(!String(decoding: leaf.bytes, as: UTF8.self).localizedCaseInsensitiveContains("4455667"))
        }
    }

    @Test func recordsAfterTheLatestCheckpointAwaitIt() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, form) = try await client.page("/audit", ConsoleFixture.auditor)
            let token = try #require(ConsoleFixture.csrf(in: form))
            // The first search's own audit.queried record is not yet under a checkpoint.
            _ = try await client.form("/audit", ConsoleFixture.auditor, [("csrf", token)])
            let (_, body) = try await client.form("/audit", ConsoleFixture.auditor, [("csrf", token), ("event", "audit.queried")])
            #expect(body.contains("awaiting next checkpoint"))
        }
    }

    @Test func laterSearchesProveAgainstNewerCheckpoints() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            // The traffic ended with a checkpoint over every leaf it wrote.
            let written = try await fixture.store.leafCount()
            let (_, form) = try await client.page("/audit", ConsoleFixture.officer)
            let token = try #require(ConsoleFixture.csrf(in: form))
            let (_, first) = try await client.form("/audit", ConsoleFixture.officer, [("csrf", token), ("event", "message.delivered")])
            #expect(first.contains("included (checkpoint of \(written))"))
            _ = try await fixture.store.checkpointNow()
            let (_, second) = try await client.form("/audit", ConsoleFixture.officer, [("csrf", token), ("event", "audit.queried")])
            #expect(second.contains("included (checkpoint of \(written + 1))"))
            #expect(second.contains("awaiting next checkpoint"))
        }
    }

    @Test func badFiltersAreExplained() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, form) = try await client.page("/audit", ConsoleFixture.officer)
            let token = try #require(ConsoleFixture.csrf(in: form))
            let (status, body) = try await client.form("/audit", ConsoleFixture.officer, [("csrf", token), ("since", "last tuesday")])
            #expect(status == .badRequest)
            #expect(body.contains("neither a date"))
            let (subject, subjectBody) = try await client.form("/audit", ConsoleFixture.officer, [("csrf", token), ("subject", "LA123456")])
            #expect(subject == .badRequest)
            #expect(subjectBody.contains("type=value"))
        }
        #expect(try await fixture.records(.auditQueried).isEmpty)
    }

    @Test func exportIsVerifiableJSONLinesAndAudited() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, form) = try await client.page("/audit", ConsoleFixture.auditor)
            let token = try #require(ConsoleFixture.csrf(in: form))
            var headers = ConsoleFixture.auditor
            headers[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(uri: "/audit/export", method: .post, headers: headers,
                                     body: ByteBuffer(string: "csrf=\(token)&event=message.delivered")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment;") == true)
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.first?.contains("\"type\":\"log\"") == true)
                #expect(lines.filter { $0.contains("\"type\":\"leaf\"") }.count == 3)
            }
        }
        let exported = try #require(try await fixture.records(.auditExported).first)
        #expect(exported.actor == "urn:accord:operator:auditor:auditor")
        #expect(exported.details["events"] == "message.delivered")
    }

    /// Deliveries given up on at the push horizon are listed for the officer; those still being
    /// retried are not. The gateway's push path is driven as its push worker drives it, every
    /// POST to Police's endpoint failing to connect.
    @Test func pushesGivenUpOnAreListedOnTheHeldPage() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, before) = try await client.page("/held", ConsoleFixture.officer)
            #expect(!before.contains("Pushes given up on"))
            let horizon: TimeInterval = 86_400
            let givenUp = try await Self.failPush(fixture, to: "nz.police", horizon: horizon)
            // Past the horizon of its first try: the worker gives up on it and tries the next.
            fixture.clock.set(fixture.now.addingTimeInterval(horizon + 60))
            let retrying = try await Self.failPush(fixture, to: "nz.police", horizon: horizon)
            fixture.clock.set(fixture.now)
            #expect(givenUp != retrying)
            let (status, page) = try await client.page("/held", ConsoleFixture.officer)
            #expect(status == .ok)
            #expect(page.contains("Pushes given up on") && page.contains(givenUp.rawValue) && page.contains("client-connect-failed"))
            #expect(!page.contains(retrying.rawValue), "a delivery still being retried was listed as given up on")
        }
    }

    /// One turn of a push worker whose POST could not connect: the delivery the gateway offered.
    static func failPush(_ fixture: ConsoleFixture, to agency: AgencyID, horizon: TimeInterval) async throws -> DeliveryID {
        guard case .item(let item, let record) = await fixture.gateway.nextPush(for: agency, horizon: horizon) else {
            throw PushNotOffered(agency: agency)
        }
        await fixture.gateway.pushFailed(item, to: agency, record: record, failure: "client-connect-failed",
                                         retryAt: fixture.clock.now().addingTimeInterval(60))
        return item.deliveryID
    }

    /// The gateway offered no delivery to push where the test expected one.
    struct PushNotOffered: Error, CustomStringConvertible {
        let agency: AgencyID
        var description: String { "the gateway offered no delivery to push to \(agency)" }
    }

    /// The two messages the gateway held: the request to Fiji is approved, Police's referral
    /// (hostile text in its case reference, the informant withheld) is rejected, both through
    /// the gateway's own review.
    @Test func heldMessagesAreShownEscapedAndApprovedOrRejected() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let fiji = try fixture.sent(.heldToFiji)
            let referral = try fixture.sent(.heldToImmigration)
            let (status, page) = try await client.page("/held", ConsoleFixture.officer)
            #expect(status == .ok)
            #expect(page.contains(fiji.message.rawValue) && page.contains(referral.message.rawValue))
            #expect(page.contains("informant.name"))
            #expect(!page.contains("<script>"), "a routing claim reached the page unescaped")
            #expect(page.contains("CASE-&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (approved, approvedBody) = try await client.form("/held/approve", ConsoleFixture.officer, [("csrf", token)] + fiji.form)
            #expect(approved == .ok)
            #expect(approvedBody.contains("released for delivery"))
            // A rejection needs a reason; without one nothing changes.
            let (unexplained, unexplainedBody) = try await client.form("/held/reject", ConsoleFixture.officer, [("csrf", token)] + referral.form)
            #expect(unexplained == .badRequest && unexplainedBody.contains("give a reason"))
            #expect(try await fixture.store.deliveries(messageID: referral.message).first?.state == .held)
            let (rejected, _) = try await client.form("/held/reject", ConsoleFixture.officer,
                                                      [("csrf", token)] + referral.form + [("reason", "the victim asked that Immigration NZ not be told")])
            #expect(rejected == .ok)
            let (again, _) = try await client.form("/held/approve", ConsoleFixture.officer, [("csrf", token)] + referral.form)
            #expect(again == .conflict)
            let (_, after) = try await client.page("/held", ConsoleFixture.officer)
            #expect(after.contains("No messages are waiting"))
            #expect(try await fixture.store.deliveries(messageID: fiji.message).first?.state == .pending)
            #expect(try await fixture.store.deliveries(messageID: referral.message).first?.state == .rejected)
            // The gateway hands the released delivery to Fiji, and the rejected one to no one.
            #expect(try await fixture.gateway.inbox(for: "fj.immigration", after: nil, limit: nil).items.map(\.deliveryID) == [fiji.delivery])
            #expect(try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil).items.isEmpty)
        }
        let fiji = try fixture.sent(.heldToFiji)
        let released = try #require(try await fixture.records(.messageReleased).first)
        #expect(released.actor == "urn:accord:operator:privacy-officer:officer")
        #expect(released.deliveryID == fiji.delivery)
        #expect(released.agreement?.id == "inz-fiji-s305")
        let denied = try #require(try await fixture.records(.messageDenied).first)
        #expect(denied.reason == "rejected-by-privacy-officer")
        #expect(denied.details["officer_reason"] == "the victim asked that Immigration NZ not be told")
        #expect(denied.actor == "urn:accord:operator:privacy-officer:officer")
    }

    @Test func flowsCountDeliveriesAndDrawAChart() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (status, body) = try await client.page("/flows?days=7", ConsoleFixture.officer)
            #expect(status == .ok)
            #expect(body.contains("<svg"))
            #expect(body.contains("<td>nz.immigration</td><td>nz.police</td><td>referral</td><td>inz-police-investigations</td><td>3</td><td>3</td><td>3</td>"))
        }
        let queried = try #require(try await fixture.records(.auditQueried).first)
        #expect(queried.details["view"] == "flows")
    }
}
