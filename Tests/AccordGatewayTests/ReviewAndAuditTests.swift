import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Held deliveries, keyed subject hashes, what the audit log holds, and agreement activation.
@Suite struct ReviewAndAuditTests {
    @Test func aHeldDeliveryReachesTheInboxOnlyAfterRelease() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issueHeldReferral()
            let receipt = try await fixture.gateway.submit(text, from: "nz.police")
            let held = try #require(receipt.recipients.first)
            #expect(held.status == "held" && held.withheld.contains("subject.address"))
            #expect(try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil).items.isEmpty)
            #expect(try await fixture.store.deliveries(recipient: "nz.immigration", states: [.held]).map(\.id) == [held.deliveryID])

            let unknown = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.review(deliveryID: "d-unknown", release: true, by: "operator:po") }
            #expect(unknown?.code == "not-found" && unknown?.status == 404)
            let leaf = try await fixture.gateway.review(deliveryID: held.deliveryID, release: true, by: "operator:privacy-officer:alice")
            #expect(leaf != nil)
            let page = try await fixture.gateway.inbox(for: "nz.immigration", after: nil, limit: nil)
            #expect(page.items.map(\.deliveryID) == [held.deliveryID])
            #expect(!page.items[0].presentation.contains("12 Main St"))
            let events = try await fixture.store.query(AuditQuery(messageID: receipt.messageID)).map { "\($0.record.event.rawValue) \($0.record.actor)" }
            #expect(events == ["message.accepted nz.police", "message.held gateway", "message.released operator:privacy-officer:alice",
                               "message.delivered nz.immigration"])
            // A released delivery cannot be reviewed again.
            let decided = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.review(deliveryID: held.deliveryID, release: false, by: "operator:po") }
            #expect(decided?.code == "not-held" && decided?.status == 409)
        }
    }

    @Test func theAuditLogFindsASubjectByKeyedHashAndHoldsNoPayloadValue() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let receipt = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            _ = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], content: ["summary": "another"]), from: "nz.immigration")
            _ = try? await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], purpose: "marketing"), from: "nz.immigration")
            _ = try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil)

            // An officer types the passport number; the hash finds the message, as `accord audit query --subject` would.
            let found = try await fixture.store.query(AuditQuery(subject: fixture.keys.subjectKey.hash(type: "passport", value: " fj1234567 ")))
            // Its acceptance for Police and Police's pick-up: both name what Police were given.
            #expect(found.map(\.record.messageID) == [receipt.messageID, receipt.messageID])
            #expect(found.map(\.record.event) == [.messageAccepted, .messageDelivered])
            #expect(try await fixture.store.query(AuditQuery(subject: fixture.keys.subjectKey.hash(type: "passport", value: "ZZ0000000"))).isEmpty)

            let count = try await fixture.store.leafCount()
            let text = try await fixture.store.leaves(in: 0..<count).map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
            for value in GatewayFixture.payloadValues {
                #expect(!text.contains(value), "the audit log holds a payload value")
            }
            _ = try await fixture.store.checkpointNow()
            let verification = try await fixture.store.verifyLog(
                origin: "test.accord/audit", verifier: NoteVerifier(name: "test.accord/audit", publicKey: fixture.keys.auditKey.publicKey))
            guard case .verified(let summary) = verification else {
                Issue.record("the audit log does not verify: \(verification)")
                return
            }
            #expect(summary.leafCount == count && summary.checkpointsVerified >= 1)
        }
    }

    @Test func anInvalidAgreementSetNeverReplacesTheActiveOne() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let before = fixture.policy.current.setDigest
            let broken = fixture.directory.appendingPathComponent("agreements-broken")
            try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: broken)
            let file = broken.appendingPathComponent("inz-police-investigations.yaml")
            try (try String(contentsOf: file, encoding: .utf8)).replacingOccurrences(of: "max_classification: SENSITIVE", with: "max_classification: VERY-SECRET")
                .write(to: file, atomically: true, encoding: .utf8)
            guard case .rejected(let diagnostics) = try await fixture.gateway.activateAgreements(from: broken, by: "operator:administrator:bob") else {
                Issue.record("a broken set was activated")
                return
            }
            #expect(diagnostics.contains { $0.location.file.hasSuffix("inz-police-investigations.yaml") && $0.location.line > 0 })
            #expect(fixture.policy.current.setDigest == before)
            #expect(try await fixture.store.query(AuditQuery(events: [.agreementsRejected])).first?.record.actor == "operator:administrator:bob")

            // The shipped set activates (first time in this store), then is unchanged.
            let shipped = PackageRoot.url.appendingPathComponent("Agreements")
            guard case .activated(let digest, let version, _) = try await fixture.gateway.activateAgreements(from: shipped, by: "gateway") else {
                Issue.record("the shipped set did not activate")
                return
            }
            #expect(digest == before && version == 1)
            guard case .unchanged = try await fixture.gateway.activateAgreements(from: shipped, by: "gateway") else {
                Issue.record("activating the same set twice recorded it twice")
                return
            }
            // Traffic decides against the set in force throughout.
            _ = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
        }
    }

    @Test func concurrentActivationsRecordTheSetOnce() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let shipped = PackageRoot.url.appendingPathComponent("Agreements")
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        if case .activated = try await fixture.gateway.activateAgreements(from: shipped, by: "operator:\(index)") { return true }
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await fixture.store.agreementSets().count == 1)
        }
    }

    @Test func retentionExpiresOpenDeliveriesBeforePurgingTheirText() async throws {
        var options = Gateway.Options()
        options.retention = 0.2
        let fixture = try GatewayFixture(options: options)
        try await fixture.closing {
            let receipt = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await fixture.gateway.expireDeliveries(before: Date()) == 1)
            #expect(try await fixture.store.purgeMessages(retainedUntilBefore: Date()) == 1)
            let status = try await fixture.gateway.status(of: receipt.messageID, for: "nz.immigration")
            #expect(status.deliveries.map(\.state) == ["expired"] && !status.retained)
            #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)
            let expired = try await fixture.store.query(AuditQuery(events: [.messageExpired]))
            #expect(expired.map(\.record.reason) == ["retention-ended"])
            #expect(try await fixture.gateway.expireDeliveries(before: Date()) == 0)
        }
    }
}
