import AccordCore
import Foundation
import Testing
@testable import AccordPolicy

/// A flow's `hold:` (docs/agreements.md, "Holds"): each condition holds what meets it and
/// only that, on both engines, with the reason the officer and the audit log are given.
@Suite struct HoldTests {
    func decide(_ set: AgreementSet, _ m: PolicyMessage, _ recipient: AgencyID) -> Delivery? {
        let compiled = CompiledPolicy(set).evaluate(m, for: recipient, on: Fixture.today)
        #expect(compiled == ReferenceEvaluator(set: set).evaluate(m, for: recipient, on: Fixture.today))
        if case .deliver(let delivery) = compiled { return delivery }
        return nil
    }

    func holding(_ hold: String, flow: String = "handling: H1") throws -> AgreementSet {
        try Fixture().replacing(flow, with: "\(flow)\n    hold: \(hold)", in: "ag1.yaml").load()
    }

    @Test func aDisclosedTaggedClaimHoldsAndItsAbsenceDoesNot() throws {
        let set = try holding("{disclosed_tags: [identifier]}")
        let tagged = try #require(decide(set, EngineTests.message(claims: ["notes", "x.name"]), "nz.b"))
        #expect(tagged.held && tagged.holdReasons == [.taggedClaim(tag: .identifier, path: "x.name")])
        #expect(tagged.approvalsRequired == 1)
        let untagged = try #require(decide(set, EngineTests.message(claims: ["notes", "list[*]"]), "nz.b"))
        #expect(!untagged.held && untagged.holdReasons.isEmpty)
    }

    @Test func aTaggedClaimThatIsWithheldDoesNotHold() throws {
        // x.name goes, the never-disclosed list does not; only what goes is judged.
        let set = try Fixture()
            .replacing("    tags: [identifier]\n", with: "    tags: [identifier, health]\n", in: "schemas/t1.yaml")
            .replacing("    values: [u, v]\n", with: "    values: [u, v]\n    tags: [health]\n", in: "schemas/t1.yaml")
            .replacing("handling: H1", with: "handling: H1\n    hold: {disclosed_tags: [health]}", in: "ag1.yaml").load()
        let withheldOnly = try #require(decide(set, EngineTests.message(claims: ["notes", "list[*]"]), "nz.b"))
        #expect(!withheldOnly.held && withheldOnly.withheldPaths == ["list[*]"])
        let both = try #require(decide(set, EngineTests.message(claims: ["list[*]", "x.name"]), "nz.b"))
        #expect(both.holdReasons == [.taggedClaim(tag: .health, path: "x.name")])
    }

    @Test func aClassificationAtOrAboveTheLevelHolds() throws {
        let set = try holding("{classification_at_least: SENSITIVE, approvals: 2}")
        let below = try #require(decide(set, EngineTests.message(classification: "IN-CONFIDENCE"), "nz.b"))
        #expect(!below.held)
        let at = try #require(decide(set, EngineTests.message(classification: "SENSITIVE"), "nz.b"))
        #expect(at.holdReasons == [.classification(atLeast: .sensitive)] && at.approvalsRequired == 2)
    }

    @Test func anOverseasRecipientHolds() throws {
        let set = try holding("{recipient_overseas: true}", flow: "handling: H2")
        let abroad = try #require(decide(set, EngineTests.message(to: ["au.c", "nz.b"]), "au.c"))
        #expect(abroad.holdReasons == [.overseas(jurisdiction: "AU")])
        #expect(abroad.holdReasons.map(\.code) == ["recipient-overseas"])
        // The same message to the New Zealand recipient, under a flow without the hold, goes.
        let home = try #require(decide(set, EngineTests.message(to: ["au.c", "nz.b"]), "nz.b"))
        #expect(!home.held)
    }

    @Test func alwaysAndTheOlderReviewKeyHoldEverything() throws {
        for hold in ["always", "{always: true}"] {
            let d = try #require(decide(try holding(hold), EngineTests.message(claims: ["notes"]), "nz.b"))
            #expect(d.holdReasons == [.always], "hold: \(hold)")
        }
        let review = try Fixture().replacing("handling: H1", with: "handling: H1\n    review: privacy-officer", in: "ag1.yaml").load()
        #expect(try #require(decide(review, EngineTests.message(claims: ["notes"]), "nz.b")).holdReasons == [.always])
        #expect(try #require(decide(try Fixture().load(), EngineTests.message(), "nz.b")).held == false)
    }

    @Test func conditionsAddUpInAStableOrder() throws {
        let set = try holding("{always: true, disclosed_tags: [identifier], classification_at_least: IN-CONFIDENCE, approvals: 3}")
        let d = try #require(decide(set, EngineTests.message(claims: ["x.name", "notes"]), "nz.b"))
        #expect(d.holdReasons.map(\.code) == ["always", "disclosed-identifier", "classification"])
        #expect(d.approvalsRequired == 3)
    }

    @Test func badHoldsAreNamedWhereTheyAreWritten() {
        func problems(_ hold: String) -> [String] {
            Fixture().replacing("handling: H1", with: "handling: H1\n    hold: \(hold)", in: "ag1.yaml").diagnostics()
                .map { "\($0.location.line):\($0.location.column) \($0.check.rawValue) \($0.message)" }
        }
        // Flow 1's `handling:` is on line 19 of ag1.yaml, so `hold:` is on line 20.
        #expect(problems("sometimes") == ["20:11 invalid-hold hold 'sometimes' in flow 1 of agreement 'ag1' must be 'always' or a mapping of conditions (always, disclosed_tags, classification_at_least, recipient_overseas, approvals)"])
        #expect(problems("{disclosed_tags: [childish]}").contains { $0.hasPrefix("20:") && $0.contains("tag 'childish' is not one of: identifier, child") })
        #expect(problems("{classification_at_least: SECRET}").contains { $0.contains("invalid-hold classification 'SECRET' is not one of") })
        #expect(problems("{always: true, approvals: 5}").contains { $0.contains("approvals 5 in the hold of flow 1 of agreement 'ag1' must be from 1 to 3") })
        #expect(problems("{approvals: 2}").contains { $0.contains("states no condition, so it would never hold anything") })
        #expect(problems("{when: child}").contains { $0.contains("unknown-key unknown key 'when' in the hold of flow 1 of agreement 'ag1'") })
        #expect(problems("{disclosed_tags: [child]}").contains { $0.contains("hold-never-applies flow 1 holds deliveries that disclose a claim tagged child, but it discloses no such claim") })
        let both = Fixture().replacing("handling: H1", with: "handling: H1\n    review: privacy-officer\n    hold: always", in: "ag1.yaml").diagnostics()
        #expect(both.map(\.message).contains("flow 1 of agreement 'ag1' has both 'review' and 'hold'; 'review: privacy-officer' means 'hold: always', so keep one"))
    }

    @Test func explainSaysWhyItIsHeldAndByHowMany() throws {
        let set = try holding("{disclosed_tags: [identifier], approvals: 2}")
        let explanation = ReferenceEvaluator(set: set).explain(EngineTests.message(claims: ["x.name"]), for: "nz.b", on: Fixture.today)
        let lines = explanation.lines(in: set)
        #expect(lines.first == "decision: deliver, held for a privacy officer's approval")
        #expect(lines.contains("held until approved by 2 different privacy officers, because:"))
        #expect(lines.contains("  disclosed-identifier: 'x.name' is tagged identifier and goes to the recipient"))
    }
}
