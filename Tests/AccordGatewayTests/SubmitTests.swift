import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The path of one message through the gateway, in process: verify, decide, redact, store,
/// deliver with key binding, acknowledge.
@Suite struct SubmitTests {
    @Test func aMessageIsRedactedPerAgreementAndBoundForItsRecipient() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
            let receipt = try await fixture.gateway.submit(text, from: "nz.immigration")
            #expect(!receipt.replayed)
            let recipient = try #require(receipt.recipients.first)
            #expect(recipient.recipient == "nz.police" && recipient.status == "delivered")
            #expect(recipient.agreement == "inz-police-investigations")
            #expect(recipient.withheld == ["health", "health.concerns", "informant", "informant.name"])

            let page = try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil)
            let item = try #require(page.items.first)
            #expect(page.items.count == 1 && item.deliveryID == recipient.deliveryID && item.from == "nz.immigration")

            // The recipient verifies the agency's signature and the gateway's binding with its own verifier.
            let verifier = SDJWTVerifier(resolver: StaticIssuerKeyResolver([
                "nz.immigration": [try PrivateKey(pemFile: fixture.pki.agencySigningKey("nz.immigration").path).publicKey.jwk.thumbprintBase64URL:
                    try PrivateKey(pemFile: fixture.pki.agencySigningKey("nz.immigration").path).publicKey],
            ]))
            let verified = try verifier.verify(item.presentation, now: Date(),
                                               keyBinding: KeyBindingExpectation(audience: "nz.police", nonce: item.deliveryID))
            #expect(verified.claims["subject"]?["passport_number"] == "FJ1234567")
            #expect(verified.claims["informant"] == nil && verified.claims["health"] == nil)
            #expect(!item.presentation.contains("Mele"))
            let decision = try #require(verified.keyBinding?.decision)
            #expect(decision.agreementID == "inz-police-investigations" && decision.auditLeafIndex == Int(item.auditLeaf))
            #expect(decision.withheldPaths == recipient.withheld)

            // Not acknowledged: still in the inbox. Acknowledged: gone, and acknowledging again is harmless.
            #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.count == 1)
            let ack = try await fixture.gateway.acknowledge(deliveryID: item.deliveryID, by: "nz.police")
            #expect(ack.state == "acknowledged" && ack.auditLeaf != nil)
            #expect(try await fixture.gateway.acknowledge(deliveryID: item.deliveryID, by: "nz.police").state == "acknowledged")
            #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)

            let status = try await fixture.gateway.status(of: receipt.messageID, for: "nz.immigration")
            #expect(status.deliveries.map(\.state) == ["acknowledged"])
            let notTheSender = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.status(of: receipt.messageID, for: "nz.police") }
            #expect(notTheSender?.code == "not-found" && notTheSender?.status == 404)
            let notTheRecipient = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.acknowledge(deliveryID: item.deliveryID, by: "nz.customs") }
            #expect(notTheRecipient?.code == "not-found" && notTheRecipient?.status == 404)

            let events = try await fixture.store.query(AuditQuery(messageID: receipt.messageID)).map(\.record.event)
            // Pulled twice before the acknowledgement: two deliveries recorded.
            #expect(events == [.messageAccepted, .messageDelivered, .messageDelivered, .messageAcknowledged])
        }
    }

    @Test func theInboxPagesWithACursor() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            for _ in 0..<5 {
                _ = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            }
            let first = try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: 2)
            let second = try await fixture.gateway.inbox(for: "nz.police", after: first.next, limit: 2)
            let third = try await fixture.gateway.inbox(for: "nz.police", after: second.next, limit: 2)
            let rest = try await fixture.gateway.inbox(for: "nz.police", after: third.next, limit: 2)
            #expect([first, second, third].map(\.items.count) == [2, 2, 1] && rest.items.isEmpty && rest.next == third.next)
            #expect(Set((first.items + second.items + third.items).map(\.deliveryID)).count == 5)
            #expect(try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil).items.isEmpty)
            let badCursor = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.inbox(for: "nz.police", after: "x", limit: nil) }
            #expect(badCursor?.code == "invalid-cursor" && badCursor?.status == 400)
        }
    }

    @Test func anInboxPageIsBoundedInBytes() async throws {
        var options = Gateway.Options()
        options.inboxPageBytes = 1
        let fixture = try GatewayFixture(options: options)
        try await fixture.closing {
            for _ in 0..<3 {
                _ = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            }
            var cursor: String?
            var seen: [DeliveryID] = []
            for _ in 0..<4 {
                let page = try await fixture.gateway.inbox(for: "nz.police", after: cursor, limit: nil)
                #expect(page.items.count <= 1)
                seen += page.items.map(\.deliveryID)
                cursor = page.next
            }
            #expect(Set(seen).count == 3)
        }
    }

    @Test func resubmittingTheSameMessageReturnsTheOriginalReceipt() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-0001")
            let first = try await fixture.gateway.submit(text, from: "nz.immigration")
            let again = try await fixture.gateway.submit(text, from: "nz.immigration")
            #expect(again.replayed && again.messageID == first.messageID)
            #expect(again.recipients.map(\.deliveryID) == first.recipients.map(\.deliveryID))
            #expect(again.recipients.map(\.auditLeaf) == first.recipients.map(\.auditLeaf))

            let other = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-0001", content: ["summary": "different"])
            let problem = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(other, from: "nz.immigration") }
            #expect(problem?.code == "jti-reused" && problem?.status == 409)
            let denied = try await fixture.store.query(AuditQuery(events: [.messageDenied]))
            #expect(denied.map(\.record.reason) == ["jti-reused"])
            #expect(try await fixture.store.deliveries(messageID: first.messageID).count == 1)
        }
    }

    /// A resubmission is answered from the store even when the agreement that allowed the
    /// message has since been suspended: the message was accepted, and the answer says so.
    @Test func resubmissionsAfterTheAgreementIsSuspendedStillGetTheOriginalReceipt() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-before-suspension")
            let first = try await fixture.gateway.submit(text, from: "nz.immigration")

            let agreements = fixture.directory.appendingPathComponent("Agreements")
            try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
            let file = agreements.appendingPathComponent("inz-police-investigations.yaml")
            let yaml = try String(contentsOf: file, encoding: .utf8)
            try Data(yaml.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n").utf8).write(to: file)
            guard case .activated = try await fixture.gateway.activateAgreements(from: agreements, by: "test") else {
                Issue.record("the suspension did not activate")
                return
            }

            let again = try await fixture.gateway.submit(text, from: "nz.immigration")
            #expect(again.replayed && again.messageID == first.messageID)
            #expect(again.recipients.map(\.deliveryID) == first.recipients.map(\.deliveryID))
            // Different content under the same jti is still a reused jti, not a policy refusal.
            let other = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-before-suspension", content: ["summary": "different"])
            let problem = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(other, from: "nz.immigration") }
            #expect(problem?.code == "jti-reused")
            // A new message under the suspended agreement is refused.
            let fresh = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-after-suspension")
            let refused = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(fresh, from: "nz.immigration") }
            #expect(refused?.status == 403)
        }
    }

    /// The receipt's hand-written JSON says what its Codable form says (clients decode either).
    @Test func receiptJSONDecodesToTheSameReceipt() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-\"quoted\"/é")
            for receipt in [try await fixture.gateway.submit(text, from: "nz.immigration"), try await fixture.gateway.submit(text, from: "nz.immigration")] {
                let decoded = try JSONDecoder().decode(SubmissionReceipt.self, from: Data(receipt.json))
                #expect(decoded == receipt)
                #expect(!receipt.recipients.isEmpty && receipt.recipients.allSatisfy { $0.auditLeaf != nil })
            }
        }
    }

    @Test func concurrentResubmissionsAcceptOnce() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-race")
            let receipts = try await withThrowingTaskGroup(of: SubmissionReceipt.self) { group in
                for _ in 0..<8 { group.addTask { try await fixture.gateway.submit(text, from: "nz.immigration") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(receipts.map(\.messageID)).count == 1)
            #expect(receipts.filter { !$0.replayed }.count == 1)
            #expect(try await fixture.store.query(AuditQuery(events: [.messageAccepted])).count == 1)
        }
    }
}
