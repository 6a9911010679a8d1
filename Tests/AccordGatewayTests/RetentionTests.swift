import AccordCore
import AccordAudit
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Retention: a delivery whose message's retention has ended is expired with a
/// `message.expired` leaf before its text goes, whatever the order in which the two run.
@Suite struct RetentionTests {
    /// The retention run once took two instants, one to expire and a later one to purge; a
    /// delivery whose retention ended between them lost its text without being expired, and
    /// then stayed pending forever (expiry only looks at messages that still have their text).
    @Test func aPurgeNeverTakesTheTextOfADeliveryStillOpen() async throws {
        let clock = PinnedClock(Date())
        var options = Gateway.Options()
        options.retention = 3600
        let fixture = try GatewayFixture(options: options, now: clock.now)
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now())
            let receipt = try await fixture.gateway.submit(text, from: "nz.immigration")
            let retainUntil = clock.now().addingTimeInterval(3600)
            clock.advance(3600 + 1)
            // Expiry with an instant just before the retention ended, then a purge just after it.
            #expect(try await fixture.gateway.expireDeliveries(before: retainUntil.addingTimeInterval(-0.5)) == 0)
            _ = try await fixture.store.purgeMessages(retainedUntilBefore: retainUntil.addingTimeInterval(0.5))

            let waiting = try await fixture.gateway.status(of: receipt.messageID, for: "nz.immigration")
            #expect(waiting.retained, "the text of a delivery still pending was purged")
            // The next run expires it, audited, and only then purges the text.
            #expect(try await fixture.gateway.expireDeliveries(before: clock.now()) == 1)
            #expect(try await fixture.store.purgeMessages(retainedUntilBefore: clock.now()) == 1)
            let status = try await fixture.gateway.status(of: receipt.messageID, for: "nz.immigration")
            #expect(status.deliveries.map(\.state) == ["expired"] && !status.retained)
            let expired = try await fixture.store.query(AuditQuery(events: [.messageExpired], messageID: receipt.messageID))
            #expect(expired.map(\.record.deliveryID) == receipt.recipients.map(\.deliveryID))
        }
    }

    /// The gateway's retention run expires and purges as of one instant: what expiry leaves
    /// open, purge keeps.
    @Test func oneRetentionRunExpiresThenPurgesAsOfOneInstant() async throws {
        let clock = PinnedClock(Date())
        var options = Gateway.Options()
        options.retention = 3600
        let fixture = try GatewayFixture(options: options, now: clock.now)
        try await fixture.closing {
            let old = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()),
                                                       from: "nz.immigration")
            clock.advance(1800)
            let recent = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()),
                                                          from: "nz.immigration")
            clock.advance(1801)
            #expect(try await fixture.gateway.applyRetention() == RetentionOutcome(expired: 1, purged: 1))
            #expect(try await fixture.gateway.status(of: old.messageID, for: "nz.immigration").deliveries.map(\.state) == ["expired"])
            let kept = try await fixture.gateway.status(of: recent.messageID, for: "nz.immigration")
            #expect(kept.retained && kept.deliveries.map(\.state) == ["pending"])
        }
    }
}
