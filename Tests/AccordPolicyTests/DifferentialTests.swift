import AccordTestSupport
import Foundation
import Testing
@testable import AccordPolicy

/// The compiled engine against the plain reference evaluator on random sets and messages.
@Suite struct DifferentialTests {
    @Test func compiledEngineAgreesWithTheReferenceEvaluator() {
        let env = ProcessInfo.processInfo.environment
        let seed = env["ACCORD_DIFF_SEED"].flatMap { UInt64($0) } ?? 0xACC0_2D
        let cases = env["ACCORD_DIFF_CASES"].flatMap { Int($0) } ?? 100_000
        let perSet = 100
        var random = RandomSets(rng: SplitMix64(seed: seed))
        var divergences = 0
        var leaks = 0
        var delivered = 0
        var codes: [DenialCode: Int] = [:]
        var done = 0
        while done < cases {
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
                    if divergences <= 3 { Issue.record("divergence (seed \(seed), case \(done)): \(fast) vs \(slow)") }
                }
                switch fast {
                case .deny(let denial): codes[denial.code, default: 0] += 1
                case .deliver(let delivery):
                    delivered += 1
                    if !Self.allowed(delivery, message, recipient, set) { leaks += 1 }
                }
            }
        }
        print("differential: seed \(seed), \(done) cases, \(delivered) delivered, \(done - delivered) denied, "
              + "\(divergences) divergences, \(leaks) disclosures outside the flow")
        print("differential denials: " + codes.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: " "))
        #expect(divergences == 0)
        #expect(leaks == 0)
        #expect(delivered > cases / 50, "too few deliveries to exercise claim rules")
    }

    /// Independent statement of the safety property: every disclosed path is declared by the
    /// schema, named by the matching flow's disclose rules, not by its never rules, and a
    /// child-tagged path goes only to a child welfare agency or under a stated basis.
    static func allowed(_ d: Delivery, _ m: MessageRouting, _ recipient: String, _ set: AgreementSet) -> Bool {
        guard let agreement = set.agreement(id: d.agreementID),
              let flow = agreement.flows.first(where: { $0.number == d.flowNumber }),
              flow.from.contains(m.issuer), flow.to.contains(recipient), flow.types.contains(m.type),
              flow.purposes.contains(m.purpose), let schema = set.schemas[m.type], let agency = set.agencies[recipient]
        else { return false }
        return d.disclosed.allSatisfy { path in
            guard let claim = schema.claim(at: path) else { return false }
            let named = flow.disclose.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
            let never = flow.neverDisclose.contains { path == $0 || path.hasPrefix($0 + ".") || path.hasPrefix($0 + "[") }
            let childOK = !claim.tags.contains(.child) || agency.isChildWelfareAgency || flow.childClaimsBasis != nil
            return named && !never && childOK
        }
    }
}
