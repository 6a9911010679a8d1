import AccordCore
import AccordGateway
import AccordMessages
import AccordStore
import Foundation
import Logging
import Synchronization
import Testing

/// The inbox cursor: a recipient may keep it from poll to poll and still sees every delivery,
/// including one a privacy officer releases after the cursor was taken.
@Suite struct InboxCursorTests {
    @Test func aDeliveryReleasedAfterTheCursorWasTakenComesAfterIt() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let held = try await Self.submitHeld(fixture)
            let update = try await Self.submitCaseUpdate(fixture)
            let first = try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil)
            #expect(first.items.map(\.deliveryID) == [update])

            _ = try await fixture.gateway.review(deliveryID: held, release: true, by: "operator:privacy-officer:alice")
            let second = try await fixture.gateway.inbox(for: "nz.immigration", after: first.next, limit: nil)
            #expect(second.items.map(\.deliveryID) == [held], "the released delivery lies after a cursor taken before its release")
            let third = try await fixture.gateway.inbox(for: "nz.immigration", after: second.next, limit: nil)
            #expect(third.items.isEmpty && third.next == second.next)
        }
    }

    /// A cursor past everything the inbox handed out was once accepted, and the client then
    /// silently missed every delivery until the sequence caught up with it.
    @Test func aCursorBeyondAnythingHandedOutIsRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let update = try await Self.submitCaseUpdate(fixture)
            let page = try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil)
            #expect(page.items.map(\.deliveryID) == [update])
            for cursor in [String(try #require(Int64(page.next)) + 1), "+" + page.next, "0" + page.next] {
                let problem = await #expect(throws: GatewayProblem.self) {
                    try await fixture.gateway.inbox(for: "nz.immigration", after: cursor, limit: nil)
                }
                #expect(problem?.code == "invalid-cursor" && problem?.status == 400, "after=\(cursor)")
            }
            let limit = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: 0) }
            #expect(limit?.code == "invalid-limit" && limit?.status == 400)
            #expect(try await fixture.gateway.inbox(for: "nz.immigration", after: page.next, limit: nil).items.isEmpty)
            let later = try await Self.submitCaseUpdate(fixture)
            #expect(try await fixture.gateway.inbox(for: "nz.immigration", after: page.next, limit: nil).items.map(\.deliveryID) == [later])
        }
    }

    @Test func theInboxIsInTheOrderDeliveriesBecameAvailable() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let a = try await Self.submitCaseUpdate(fixture)
            let held = try await Self.submitHeld(fixture)
            let b = try await Self.submitCaseUpdate(fixture)
            _ = try await fixture.gateway.review(deliveryID: held, release: true, by: "operator:privacy-officer:alice")
            let c = try await Self.submitCaseUpdate(fixture)

            var cursor: String?
            var seen: [InboxItem] = []
            for _ in 0 ..< 5 {
                let page = try await fixture.gateway.inbox(for: "nz.immigration", after: cursor, limit: 1)
                #expect(page.items.count <= 1)
                #expect(page.next == page.items.last?.cursor ?? cursor ?? "0")
                seen += page.items
                cursor = page.next
            }
            #expect(seen.map(\.deliveryID) == [a, b, held, c])
            let sequences = seen.compactMap { Int64($0.cursor) }
            #expect(sequences.count == 4 && sequences == sequences.sorted() && Set(sequences).count == 4)
            let whole = try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil)
            #expect(whole.items.map(\.deliveryID) == [a, b, held, c])
            #expect(whole.items.map(\.cursor) == seen.map(\.cursor), "a pick-up does not move a delivery")
        }
    }

    @Test func aPickUpThatCouldNotBeRecordedIsNotPassedByTheCursor() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let flaky = FlakyStore(fixture.store)
            var options = Gateway.Options()
            options.auditOrigin = "test.accord/audit"
            let gateway = try Gateway(store: flaky, policy: fixture.policy, keys: fixture.keys, options: options,
                                      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let a = try await Self.submitCaseUpdate(fixture)
            let b = try await Self.submitCaseUpdate(fixture)
            let c = try await Self.submitCaseUpdate(fixture)

            flaky.failing.withLock { $0 = [b] }
            let page = try await gateway.inbox(for: "nz.immigration", after: nil, limit: nil)
            #expect(page.items.map(\.deliveryID) == [a, c])
            #expect(page.next == page.items.first?.cursor, "next stops before the delivery that was not recorded")

            flaky.failing.withLock { $0 = [] }
            let retry = try await gateway.inbox(for: "nz.immigration", after: page.next, limit: nil)
            #expect(retry.items.map(\.deliveryID) == [b, c])

            flaky.failing.withLock { $0 = [a, b, c] }
            let storageDown = await #expect(throws: GatewayProblem.self) { try await gateway.inbox(for: "nz.immigration", after: nil, limit: nil) }
            #expect(storageDown?.code == "unavailable" && storageDown?.status == 503)
        }
    }

    /// A referral from Police to INZ for victim protection: held for a privacy officer.
    static func submitHeld(_ fixture: GatewayFixture) async throws -> DeliveryID {
        let text = try fixture.issue(from: "nz.police", to: ["nz.immigration"], purpose: "victim-protection", classification: "SENSITIVE",
                                     content: ["subject": .object(["family_name": "Tupou", "visa_number": "V998877"]), "victim_status": "suspected-victim"])
        let recipient = try #require(try await fixture.gateway.submit(text, from: "nz.police").recipients.first)
        #expect(recipient.status == "held")
        return recipient.deliveryID
    }

    /// A case update from Police to INZ: delivered at once.
    static func submitCaseUpdate(_ fixture: GatewayFixture) async throws -> DeliveryID {
        let text = try fixture.issue(from: "nz.police", to: ["nz.immigration"], type: "case-update",
                                     content: ["case": .object(["status": "open", "summary": "Interview arranged"])])
        let recipient = try #require(try await fixture.gateway.submit(text, from: "nz.police").recipients.first)
        #expect(recipient.status == "delivered")
        return recipient.deliveryID
    }
}
