import AccordCore
import AccordTestSupport
import Foundation
import Testing
@testable import AccordPolicy

/// The compiled engine against the plain reference evaluator on random sets and messages, and
/// each delivery against an independent statement of what the flow lets through: nothing more
/// (over-disclosure) and nothing less (under-disclosure).
@Suite struct DifferentialTests {
    @Test func compiledEngineAgreesWithTheReferenceEvaluator() async {
        let run = RandomRun("policy differential", cases: RandomRun.referenceCases, seed: 0xACC0_2D)
        let cases = run.cases
        let perSet = 100
        var random = RandomSets(rng: run.generator)
        var divergences = 0
        var leaks = 0
        var shortfalls = 0
        var overseas = 0
        var delivered = 0
        var codes: [DenialCode: Int] = [:]
        var done = 0
        while done < cases {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            let set = random.set()
            let compiled = CompiledPolicy(set)
            let reference = ReferenceEvaluator(set: set)
            for _ in 0..<min(perSet, cases - done) {
                done += 1
                let (message, recipient, date) = random.message(for: set)
                let fast = compiled.evaluate(message, for: recipient, on: date)
                let slow = reference.evaluate(message, for: recipient, on: date)
                if fast != slow {
                    divergences += 1
                    if divergences <= 3 { Issue.record("divergence (\(run), case \(done)): \(fast) vs \(slow)") }
                }
                switch fast {
                case .deny(let denial): codes[denial.code, default: 0] += 1
                case .deliver(let delivery):
                    delivered += 1
                    if set.agencies[recipient]?.isOverseas == true { overseas += 1 }
                    if !Self.allowed(delivery, message, recipient, set) {
                        leaks += 1
                        if leaks <= 3 { Issue.record("over-disclosure (\(run), case \(done)): \(delivery.disclosed) to \(recipient)") }
                    }
                    let missing = Self.missing(delivery, message, recipient, set)
                    if !missing.isEmpty {
                        shortfalls += 1
                        if shortfalls <= 3 { Issue.record("under-disclosure (\(run), case \(done)): \(missing) withheld from \(recipient)") }
                    }
                }
            }
        }
        print("differential: \(run), \(done) cases, \(delivered) delivered (\(overseas) overseas), \(done - delivered) denied, "
              + "\(divergences) divergences, \(leaks) disclosures outside the flow, \(shortfalls) with a permitted claim withheld")
        print("differential denials: " + codes.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))
        #expect(divergences == 0, "\(run)")
        #expect(leaks == 0, "\(run)")
        #expect(shortfalls == 0, "\(run)")
        #expect(delivered > cases / 50, "too few deliveries to exercise claim rules (\(run))")
        #expect(overseas > delivered / 20, "too few overseas deliveries (\(run))")
    }

    /// Independent statement of the safety property: every disclosed path is declared by the
    /// schema, named by the matching flow's disclose rules, not by its never rules, and a
    /// child-tagged path goes only to a child welfare agency or under a stated basis.
    static func allowed(_ d: Delivery, _ m: PolicyMessage, _ recipient: AgencyID, _ set: AgreementSet) -> Bool {
        guard let agreement = set.agreement(id: d.agreementID),
              let flow = agreement.flows.first(where: { $0.number == d.flowNumber }),
              flow.from.contains(m.routing.issuer), flow.to.contains(recipient), flow.types.contains(m.routing.type),
              flow.purposes.contains(m.routing.purpose), let schema = set.schemas[m.routing.type], let agency = set.agencies[recipient]
        else { return false }
        return d.disclosed.allSatisfy { permits(flow, schema, agency, $0) }
    }

    /// The claims of the message the delivery's flow lets through that the delivery withholds.
    static func missing(_ d: Delivery, _ m: PolicyMessage, _ recipient: AgencyID, _ set: AgreementSet) -> [String] {
        guard let flow = set.agreement(id: d.agreementID)?.flows.first(where: { $0.number == d.flowNumber }),
              let schema = set.schemas[m.routing.type], let agency = set.agencies[recipient] else { return [] }
        let disclosed = Set(d.disclosed)
        return Array(Set(m.claimPaths.filter { permits(flow, schema, agency, $0) && !disclosed.contains($0) })).sorted()
    }

    /// Declared by the schema, named by the flow's disclose rules and not its never rules, and
    /// not child-tagged unless the recipient protects children or the flow states a basis.
    static func permits(_ flow: Flow, _ schema: MessageSchema, _ agency: Agency, _ path: String) -> Bool {
        guard let claim = schema.claim(at: path) else { return false }
        let named = flow.disclose.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
        let never = flow.neverDisclose.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
        let childOK = !claim.tags.contains(.child) || agency.isChildWelfareAgency || flow.childClaimsBasis != nil
        return named && !never && childOK
    }
}
