import AccordCore
import AccordAudit
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Policy is checked again after acceptance: while the agreement a delivery was accepted under
/// is out of force, the delivery is neither handed out nor released. It waits, audited, and
/// goes out if the agreement comes back into force, or expires.
@Suite struct PolicyAfterAcceptanceTests {
    static func agreementsCopy(_ name: String) throws -> URL {
        let scratch = try PackageRoot.temporaryDirectory(name)
        let agreements = scratch.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        return agreements
    }

    static func setStatus(_ gateway: Gateway, _ id: String, from old: String, to new: String) async throws {
        let outcome = try await gateway.changeAgreement(id, by: "operator:administrator:admin") {
            $0.replacingOccurrences(of: "\nstatus: \(old)\n", with: "\nstatus: \(new)\n")
        }
        guard case .activated = outcome else {
            Issue.record("\(id) did not become \(new): \(outcome)")
            return
        }
    }

    static func events(_ store: any AccordStorage, _ messageID: MessageID) async throws -> [String] {
        try await store.query(AuditQuery(messageID: messageID)).map { "\($0.record.event.rawValue) \($0.record.reason ?? "-")" }
    }

    @Test func deliveriesWaitWhileTheAgreementIsSuspendedAndGoOutWhenItIsReinstated() async throws {
        let agreements = try Self.agreementsCopy("after-acceptance-suspend")
        defer { try? FileManager.default.removeItem(at: agreements.deletingLastPathComponent()) }
        let fixture = try GatewayFixture(agreements: agreements)
        try await fixture.closing {
            let gateway = fixture.gateway
            _ = try await gateway.activateAgreements(from: agreements, by: "test")
            let pickedUp = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            let first = try await gateway.inbox(for: "nz.police", after: nil, limit: nil)
            #expect(first.items.map(\.deliveryID) == pickedUp.recipients.map(\.deliveryID))
            let undelivered = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")

            try await Self.setStatus(gateway, "inz-police-investigations", from: "active", to: "suspended")
            // Neither the one picked up but not acknowledged nor the one never picked up is handed out.
            let during = try await gateway.inbox(for: "nz.police", after: nil, limit: nil)
            #expect(during.items.isEmpty, "a delivery went out under a suspended agreement")
            for receipt in [pickedUp, undelivered] {
                let status = try await gateway.status(of: receipt.messageID, for: "nz.immigration")
                #expect(status.deliveries.map(\.state) == ["waiting"])
                #expect(try await Self.events(fixture.store, receipt.messageID).contains("message.waiting agreement-suspended"))
            }

            try await Self.setStatus(gateway, "inz-police-investigations", from: "suspended", to: "active")
            // Both come back after the cursor the recipient kept while they waited.
            let after = try await gateway.inbox(for: "nz.police", after: during.next, limit: nil)
            #expect(Set(after.items.map(\.deliveryID)) == Set((pickedUp.recipients + undelivered.recipients).map(\.deliveryID)))
            #expect(try await Self.events(fixture.store, undelivered.messageID) == [
                "message.accepted -", "message.waiting agreement-suspended", "message.resumed agreement-in-force", "message.delivered -",
            ])
        }
    }

    @Test func aPrivacyOfficerCannotReleaseWhatNoAgreementInForceCovers() async throws {
        let agreements = try Self.agreementsCopy("after-acceptance-held")
        defer { try? FileManager.default.removeItem(at: agreements.deletingLastPathComponent()) }
        let fixture = try GatewayFixture(agreements: agreements)
        try await fixture.closing {
            let gateway = fixture.gateway
            _ = try await gateway.activateAgreements(from: agreements, by: "test")
            let text = try fixture.issue(from: "nz.police", to: ["nz.immigration"], purpose: "victim-protection", classification: "SENSITIVE",
                                         content: ["subject": .object(["family_name": "Tupou"]), "victim_status": "suspected-victim"])
            let receipt = try await gateway.submit(text, from: "nz.police")
            let held = try #require(receipt.recipients.first)
            #expect(held.status == "held")

            try await Self.setStatus(gateway, "inz-police-investigations", from: "active", to: "suspended")
            let refused = await #expect(throws: GatewayProblem.self) {
                try await gateway.review(deliveryID: held.deliveryID, release: true, by: "operator:privacy-officer:alice")
            }
            #expect(refused?.code == "agreement-not-in-force" && refused?.status == 409)
            #expect(try await fixture.store.delivery(id: held.deliveryID)?.state == .held)
            #expect(try await gateway.inbox(for: "nz.immigration", after: nil, limit: nil).items.isEmpty)
            #expect(try await Self.events(fixture.store, receipt.messageID).contains("message.waiting agreement-suspended"))

            try await Self.setStatus(gateway, "inz-police-investigations", from: "suspended", to: "active")
            _ = try await gateway.review(deliveryID: held.deliveryID, release: true, by: "operator:privacy-officer:alice")
            #expect(try await gateway.inbox(for: "nz.immigration", after: nil, limit: nil).items.map(\.deliveryID) == [held.deliveryID])
        }
    }

    /// An agreement that runs out overnight: its deliveries wait from the next day, without any
    /// activation, and expire with their retention.
    @Test func deliveriesOfAnAgreementThatRanOutWaitThenExpire() async throws {
        let agreements = try Self.agreementsCopy("after-acceptance-lapse")
        defer { try? FileManager.default.removeItem(at: agreements.deletingLastPathComponent()) }
        let clock = PinnedClock(Date())
        let today = CalendarDate(clock.now()).description
        let file = agreements.appendingPathComponent("inz-police-investigations.yaml")
        try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "valid_until: 2029-06-30", with: "valid_until: \(today)")
            .replacingOccurrences(of: "review_by: 2027-06-30", with: "review_by: \(today)")
            .write(to: file, atomically: true, encoding: .utf8)
        var options = Gateway.Options()
        options.retention = 3 * 86_400
        let fixture = try GatewayFixture(options: options, agreements: agreements, now: clock.now)
        try await fixture.closing {
            let gateway = fixture.gateway
            let receipt = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()),
                                                   from: "nz.immigration")
            clock.advance(86_400)
            #expect(try await gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)
            #expect(try await gateway.status(of: receipt.messageID, for: "nz.immigration").deliveries.map(\.state) == ["waiting"])
            clock.advance(3 * 86_400)
            #expect(try await gateway.applyRetention().expired == 1)
            #expect(try await gateway.status(of: receipt.messageID, for: "nz.immigration").deliveries.map(\.state) == ["expired"])
            #expect(try await Self.events(fixture.store, receipt.messageID) == [
                "message.accepted -", "message.waiting agreement-expired", "message.expired retention-ended",
            ])
        }
    }
}
