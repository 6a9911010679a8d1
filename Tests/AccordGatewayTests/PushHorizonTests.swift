import AccordCore
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The gateway's side of push, on a pinned clock: what is offered, in which order, how a
/// failed try is kept, and when a delivery is given up on and left for pulling.
@Suite struct PushHorizonTests {
    @Test func aDeliveryFailingPastTheHorizonIsMarkedUndeliverableAndStaysInTheInbox() async throws {
        let clock = PinnedClock(Date())
        let fixture = try GatewayFixture(now: clock.now)
        try await fixture.closing {
            let first = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()), from: "nz.immigration")
            let second = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()), from: "nz.immigration")
            let firstID = try #require(first.recipients.first?.deliveryID)
            let secondID = try #require(second.recipients.first?.deliveryID)

            // The oldest first, and the next only after it: per-recipient order.
            guard case .item(let item, let record) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("nothing offered")
                return
            }
            #expect(item.deliveryID == firstID && record == nil)
            await fixture.gateway.pushFailed(item, to: "nz.police", record: nil, failure: "503", retryAt: clock.now().addingTimeInterval(10))
            guard case .notBefore(let until) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("the backing-off delivery was passed over")
                return
            }
            #expect(abs(until.timeIntervalSince(clock.now()) - 10) < 0.002, "stored to the millisecond")

            clock.advance(11)
            guard case .item(let again, let kept) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("not offered again after its delay")
                return
            }
            #expect(again.deliveryID == firstID && kept?.attempts == 1 && kept?.lastFailure == "503")
            await fixture.gateway.pushFailed(again, to: "nz.police", record: kept, failure: "client-connect-failed", retryAt: clock.now().addingTimeInterval(60))

            // Past the horizon, counted from the first try: given up on, and the next one is offered.
            clock.advance(3600)
            guard case .item(let next, _) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("the next delivery was not offered")
                return
            }
            #expect(next.deliveryID == secondID)
            let undeliverable = try await fixture.store.pushRecords(state: .undeliverable, limit: 10)
            #expect(undeliverable.map(\.deliveryID) == [firstID])
            #expect(undeliverable.first?.attempts == 2 && undeliverable.first?.lastFailure == "client-connect-failed")
            let backlog = try await fixture.gateway.pushBacklog(for: "nz.police")
            #expect(backlog.waiting == 2 && backlog.undeliverable == 1)

            // Pull still hands it out; once acknowledged it is no longer listed as undeliverable.
            let page = try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil)
            #expect(page.items.map(\.deliveryID).contains(firstID))
            _ = try await fixture.gateway.acknowledge(deliveryID: firstID, by: "nz.police")
            #expect(try await fixture.store.pushRecords(state: .undeliverable, limit: 10).isEmpty)
        }
    }

    /// The wall clock stepped back a minute while a delivery backed off for seconds (an NTP
    /// step, a VM restored from a snapshot): it is offered again at once, not a minute and its
    /// delay later (docs/operations.md, "When the clock steps").
    @Test func aClockSteppedBackDoesNotStretchTheBackoffByTheStep() async throws {
        let clock = PinnedClock(Date())
        let fixture = try GatewayFixture(now: clock.now)
        try await fixture.closing {
            let sent = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()), from: "nz.immigration")
            let id = try #require(sent.recipients.first?.deliveryID)
            guard case .item(let item, _) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("nothing offered")
                return
            }
            await fixture.gateway.pushFailed(item, to: "nz.police", record: nil, failure: "client-connect-failed", retryAt: clock.now().addingTimeInterval(4))
            clock.advance(-60)
            guard case .item(let again, let record) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("after the clock stepped back, the delivery waited for the step as well as its delay")
                return
            }
            #expect(again.deliveryID == id && record?.attempts == 1)
            // Its next failure is measured from the stepped clock, and backs off as usual.
            await fixture.gateway.pushFailed(again, to: "nz.police", record: record, failure: "client-connect-failed", retryAt: clock.now().addingTimeInterval(8))
            guard case .notBefore(let until) = await fixture.gateway.nextPush(for: "nz.police", horizon: 3600) else {
                Issue.record("the delivery failing again was offered before its delay")
                return
            }
            #expect(abs(until.timeIntervalSince(clock.now()) - 8) < 0.002)
        }
    }
}
