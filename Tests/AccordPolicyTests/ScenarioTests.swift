import AccordCore
import AccordCrypto
import Foundation
import Testing
@testable import AccordPolicy
import AccordPolicyFiles

/// Walks `Agreements/tests/*.yaml` against the shipped agreements, on both engines.
@Suite struct ScenarioTests {
    static func scenarioFiles() throws -> [AgreementSources.File] {
        let directory = Repository.agreements.appendingPathComponent("tests")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { name in
            AgreementSources.File(path: "tests/\(name)",
                                  bytes: Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test func shippedScenariosPass() throws {
        let set = try AgreementSet.load(try AgreementSources.read(directory: Repository.agreements, hashing: SHA256.Hasher.self),
                                        today: CalendarDate("2026-06-01")!)
        let compiled = CompiledPolicy(set)
        let reference = ReferenceEvaluator(set: set)
        var count = 0
        var denials = 0
        var covered: Set<AgreementID> = []
        for file in try Self.scenarioFiles() {
            for scenario in try Scenario.load(file) {
                count += 1
                let decision = compiled.evaluate(scenario.routing, claimPaths: scenario.claimPaths, for: scenario.recipient, on: scenario.date)
                #expect(decision == reference.evaluate(scenario.routing, claimPaths: scenario.claimPaths, for: scenario.recipient, on: scenario.date))
                #expect(scenario.mismatches(decision).isEmpty, "\(scenario.location) \(scenario.name): \(scenario.mismatches(decision))")
                if case .deliver(let d) = decision { covered.insert(d.agreementID) } else { denials += 1 }
                if case .deny(let d) = decision, let id = d.agreements.first { covered.insert(id) }
            }
        }
        #expect(count >= 20)
        #expect(denials >= 6)
        #expect(covered == Set(set.agreements.map(\.id)), "agreements without a scenario: \(Set(set.agreements.map(\.id)).subtracting(covered))")
    }

    @Test func aWrongExpectationIsReported() throws {
        let file = AgreementSources.File(path: "tests/x.yaml", text: """
        date: 2026-06-01
        scenarios:
          - name: wrong
            message: {iss: nz.a, type: t1, to: [nz.b], purpose: p1, classification: UNCLASSIFIED, claims: [x.name, notes]}
            recipient: nz.b
            expect: {decision: deliver, disclosed: [x.name]}
        """)
        let scenario = try #require(try Scenario.load(file).first)
        let set = try Fixture().load()
        let mismatches = scenario.mismatches(CompiledPolicy(set).evaluate(scenario.routing, claimPaths: scenario.claimPaths, for: "nz.b", on: scenario.date))
        #expect(mismatches.count == 1)
    }

    @Test func malformedScenarioFilesAreRefusedWithLocations() {
        let file = AgreementSources.File(path: "tests/bad.yaml", text: """
        scenarios:
          - name: no date, bad decision
            message: {iss: nz.a, type: t1, to: [nz.b], purpose: p1, classification: UNCLASSIFIED}
            recipient: nz.b
            expect: {decision: maybe}
        """)
        #expect {
            try Scenario.load(file)
        } throws: { error in
            guard let error = error as? PolicyError else { return false }
            return error.code == .invalidScenario && error.diagnostics.count == 2
        }
    }
}

@Suite struct DiffTests {
    @Test func reportsOpenedClosedAndChangedFlows() throws {
        let old = try Fixture().load()
        let new = Fixture()
            .replacing("disclose: [x.name, notes]", with: "disclose: [x.name, list]\n    review: privacy-officer", in: "ag1.yaml")
            .replacing("    never_disclose: [list]\n", with: "", in: "ag1.yaml")

        let opened = try new.adding("ag1.yaml", new.files["ag1.yaml"]! + """
          - from: [nz.a]
            to: [au.c]
            types: [t1]
            purposes: [p2]
            max_classification: IN-CONFIDENCE
            handling: H2
            ipp12_safeguard: ipp12-1c-comparable-laws
            disclose: [x.name]

        """).load()
        let diff = PolicyDiff(old: old, new: opened, on: Fixture.today)
        let lines = diff.changes.map(\.description)
        #expect(lines.contains("~ changed nz.a -> nz.b, t1, purpose p1 under 'ag1': newly disclosed: list[*]; newly withheld: notes; now held for a privacy officer"))
        #expect(lines.contains("+ opened  nz.a -> au.c, t1, purpose p2 under 'ag1': discloses x.name"))
        let closedSet = try Fixture().replacing("status: active", with: "status: suspended", in: "ag1.yaml").load()
        let closed = PolicyDiff(old: old, new: closedSet, on: Fixture.today).changes
        #expect(closed.count == 2)
        #expect(closed.allSatisfy { if case .closed = $0 { true } else { false } })
        #expect(PolicyDiff(old: old, new: old, on: Fixture.today).changes.isEmpty)
    }
}
