import AccordCore
import AccordAudit
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordStore
import Foundation
import Testing

/// What a refusal writes to the audit log is bounded whatever the sender writes; an agency the
/// registry no longer lists is refused; a refusal does not tell which agreement ids exist.
@Suite struct RefusalBoundsTests {
    @Test func aRefusedMessageLeavesABoundedLeafHoweverManyRecipientsAndLongStringsItCarries() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let long = String(repeating: "x", count: 20_000)
            let recipients = (0..<2_000).map { "r\($0)-" + String(repeating: "y", count: 100) }
            // Refused before the recipients are counted (the TLS peer is not the issuer).
            let text = try fixture.issue(from: "nz.immigration", to: recipients, type: long, purpose: long, classification: long)
            let mismatch = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "nz.customs") })
            #expect(mismatch.code == "identity-mismatch")
            // Refused by the policy, for one recipient with a long name.
            let policy = try fixture.issue(from: "nz.immigration", to: [long], type: long, purpose: long)
            let denied = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(policy, from: "nz.immigration") })
            #expect(denied.code == "unknown-recipient", "\(denied)")

            let count = try await fixture.store.leafCount()
            let leaves = try await fixture.store.leaves(in: 0..<count)
            #expect(leaves.count == 2)
            for leaf in leaves {
                #expect(leaf.bytes.count < 2_048, "a refusal's leaf is \(leaf.bytes.count) bytes")
            }
            for entry in try await fixture.store.query(AuditQuery(events: [.messageDenied])) {
                #expect(entry.record.to.count <= 32)
                #expect(entry.record.to.allSatisfy { $0.rawValue.utf8.count <= 64 })
                #expect(entry.record.details.values.allSatisfy { $0.utf8.count <= 64 }, "\(entry.record.details)")
            }
        }
    }

    @Test func anAgencyRemovedFromTheRegistryIsRefusedAtTheAPI() async throws {
        // fj.immigration keeps its certificates but is no longer in agencies.yaml.
        let fixture = try GatewayFixture(editAgreements: { directory in
            try FileManager.default.removeItem(at: directory.appendingPathComponent("inz-fiji-s305.yaml"))
            let registry = directory.appendingPathComponent("agencies.yaml")
            let text = try String(contentsOf: registry, encoding: .utf8)
            let start = try #require(text.range(of: "  - id: fj.immigration"))
            let end = text[start.upperBound...].range(of: "\n  - id: ")?.lowerBound ?? text.endIndex
            try Data((String(text[..<start.lowerBound]) + String(text[end...]).drop { $0 == "\n" }).utf8).write(to: registry)
        })
        try await fixture.closing {
            #expect(fixture.policy.current.policy.set.agencies["fj.immigration"] == nil)
            let text = try fixture.issue(from: "fj.immigration", to: ["nz.immigration"], purpose: "immigration-compliance")
            let submitted = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "fj.immigration") })
            #expect(submitted.code == "unknown-agency" && submitted.status == 403, "\(submitted)")
            let denied = try await fixture.store.query(AuditQuery(events: [.messageDenied]))
            #expect(denied.map(\.record.reason) == ["unknown-agency"])

            let inbox = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.inbox(for: "fj.immigration", after: nil, limit: nil) }
            #expect(inbox?.code == "unknown-agency" && inbox?.status == 403)
            let ack = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.acknowledge(deliveryID: "d-0", by: "fj.immigration") }
            #expect(ack?.code == "unknown-agency")
            let status = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.status(of: "m-0", for: "fj.immigration") }
            #expect(status?.code == "unknown-agency")
            let flows = #expect(throws: GatewayProblem.self) { try fixture.gateway.permittedFlows(for: "fj.immigration") }
            #expect(flows?.code == "unknown-agency")
        }
    }

    @Test func namingAnAgreementThatDoesNotExistIsAnsweredLikeOneThatDoesNotCoverTheFlow() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            var answers: [GatewayProblem] = []
            for named in ["no-such-agreement", "customs-abf-s318"] {
                let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], agreement: named)
                answers.append(try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "nz.immigration") }))
            }
            #expect(answers.map(\.code) == ["named-agreement-does-not-cover", "named-agreement-does-not-cover"], "\(answers)")
            #expect(answers[0].detail.replacingOccurrences(of: "no-such-agreement", with: "customs-abf-s318") == answers[1].detail, "\(answers)")
        }
    }
}
