import AccordCore
import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

@testable import AccordGateway

/// The stages of a submission (docs/architecture.md), each driven alone: what `receive` fixes,
/// what each acceptance rule refuses, and that `plan` is a function of its inputs.
@Suite struct PipelineStageTests {
    /// A message is decided under the snapshot it was received with: an activation between
    /// its arrival and its decision changes nothing for it, and decides the next message.
    @Test func aMessageIsDecidedWhollyUnderTheSnapshotItArrivedWith() async throws {
        let agreements = try PolicyAfterAcceptanceTests.agreementsCopy("stage-snapshot")
        defer { try? FileManager.default.removeItem(at: agreements.deletingLastPathComponent()) }
        let fixture = try GatewayFixture(agreements: agreements)
        try await fixture.closing {
            let gateway = fixture.gateway
            _ = try await gateway.activateAgreements(from: agreements, by: "test")
            let early = gateway.receive(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            try await PolicyAfterAcceptanceTests.setStatus(gateway, "inz-police-investigations", from: "active", to: "suspended")
            #expect(early.snapshot.generation < gateway.policy.current.generation)

            let plan = try gateway.planner.plan(try gateway.verify(early))
            #expect(plan.lines.map(\.recipient.agreement) == ["inz-police-investigations"])

            let late = gateway.receive(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            let refusal = #expect(throws: Refusal.self) { try gateway.planner.plan(try gateway.verify(late)) }
            #expect(refusal?.stage == .policy && refusal?.problem.code == "agreement-suspended")
        }
    }

    /// Planning twice with the same delivery ids gives the same submission: nothing in the plan
    /// comes from a clock, the store or shared state.
    @Test func planningIsAFunctionOfTheCandidate() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let gateway = fixture.gateway
            let candidate = try gateway.verify(gateway.receive(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration"))
            let planner = DeliveryPlanner(subjectKey: fixture.keys.subjectKey, retention: 3600, makeDeliveryID: { "d-fixed" })
            let first = try planner.plan(candidate)
            let second = try planner.plan(candidate)
            #expect(first.submission.deliveries.map(\.envelope) == second.submission.deliveries.map(\.envelope))
            #expect(first.submission.audit == second.submission.audit)
            let envelope = try #require(first.submission.deliveries.first?.envelope)
            #expect(envelope.agreementID == "inz-police-investigations" && envelope.sender == "nz.immigration")
            #expect(envelope.withheld == ["health", "health.concerns", "informant", "informant.name"])
            #expect(envelope.redacted.map { !$0.contains("Mele") } == true, "the withheld informant's name is not in the redacted text")
            #expect(first.submission.message.submissionDigest == candidate.received.digest)
            #expect(first.submission.audit.map(\.event) == [.messageAccepted])
            #expect(first.lines.map(\.recordIndex) == [0])
        }
    }

    /// Each acceptance rule refuses its own case at its own stage, and passes the rest.
    @Test func eachAcceptanceRuleRefusesItsOwnCase() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let gateway = fixture.gateway
            let good = try gateway.verify(gateway.receive(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration"))
            let rules: [any AcceptanceRule] = [IssuerIsSender(), NamesGatewayBindingKey(), RecipientLimit(maximum: 1), ControlledValuesRule()]
            for rule in rules { #expect(rule.check(good)?.problem.code == nil, "\(type(of: rule)) refused a good message") }

            let otherSender = CandidateMessage(
                received: gateway.receive(good.received.text, from: "nz.police"), message: good.message, messageID: good.messageID, binding: good.binding)
            #expect(IssuerIsSender().check(otherSender)?.problem.code == "identity-mismatch")
            #expect(IssuerIsSender().check(otherSender)?.stage == .identity)

            let unbound = CandidateMessage(received: good.received, message: good.message, messageID: good.messageID, binding: nil)
            #expect(NamesGatewayBindingKey().check(unbound)?.problem.code == "holder-key-mismatch")

            #expect(RecipientLimit(maximum: 0).check(good)?.problem.code == "too-many-recipients")
            #expect(RecipientLimit(maximum: 0).check(good)?.yieldsToEarlierAcceptance == false)
        }
    }
}
