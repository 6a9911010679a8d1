import AccordCore
import Foundation

/// Replays past decisions against a draft set (docs/agreements.md, "Impact"). Each past message
/// is decided by the draft as if it were sent on `day`, the day the draft would come into
/// force, and compared with what the gateway recorded at the time.
public enum ImpactAnalysis {
    public static func replay(_ decisions: [PastDecision], against draft: CompiledPolicy, on day: CalendarDate) -> ImpactReport {
        var opened: [FlowKey: ImpactReport.FlowChange] = [:]
        var closed: [FlowKey: ImpactReport.FlowChange] = [:]
        struct ClaimKey: Hashable { let key: FlowKey; let path: String }
        var disclosed: [ClaimKey: ImpactReport.ClaimChange] = [:]
        var withheld: [ClaimKey: ImpactReport.ClaimChange] = [:]
        var containerCache: [String: Set<String>] = [:]
        var total = 0
        var unclassified = 0
        var skipped = 0
        var first: Date?
        var last: Date?
        for past in decisions {
            total += past.count
            first = min(first ?? past.first, past.first)
            last = max(last ?? past.last, past.last)
            let key = past.key
            let named: AgreementID?
            switch past.outcome {
            case .delivered(let agreement, _): named = agreement
            case .denied: named = nil
            }
            if past.classification == nil, case .denied(let code) = past.outcome {
                // Refused for its classification, which the leaf does not hold: no replay can say
                // what the draft would do with it.
                if code == .classificationAboveCeiling || code == .unknownClassification {
                    skipped += past.count
                    continue
                }
                unclassified += past.count
            }
            let now = decide(past, named: named, draft: draft, on: day)
            switch (past.outcome, now) {
            case (.delivered(let agreement, _), .deny(let denial)):
                if closed[key] == nil {
                    closed[key] = .init(key: key, agreement: agreement, reason: denial.code.rawValue, tally: .init(past))
                } else {
                    closed[key]!.tally.add(past)
                }
            case (.denied(let code), .deliver(let delivery)):
                if opened[key] == nil {
                    opened[key] = .init(key: key, agreement: delivery.agreementID, reason: code.rawValue, tally: .init(past))
                } else {
                    opened[key]!.tally.add(past)
                }
                // Nothing reached the recipient before: whatever the draft would send is new.
                // (A refusal's leaf lists the claim paths offered; older leaves list none.)
                for path in delivery.disclosed {
                    let claim = ClaimKey(key: key, path: path)
                    if disclosed[claim] == nil {
                        disclosed[claim] = .init(key: key, agreement: delivery.agreementID, path: path, tally: .init(past))
                    } else {
                        disclosed[claim]!.tally.add(past)
                    }
                }
            case (.delivered(_, let before), .deliver(let delivery)):
                // A leaf lists the objects that enclose disclosed claims (`subject` for
                // `subject.family_name`); they are not claims, and the engine never lists them.
                let containers = containers(of: past.type, in: draft.set, cache: &containerCache)
                let before = Set(before).subtracting(containers)
                let after = Set(delivery.disclosed)
                for path in after.subtracting(before) {
                    let claim = ClaimKey(key: key, path: path)
                    if disclosed[claim] == nil {
                        disclosed[claim] = .init(key: key, agreement: delivery.agreementID, path: path, tally: .init(past))
                    } else {
                        disclosed[claim]!.tally.add(past)
                    }
                }
                for path in before.subtracting(after) {
                    let claim = ClaimKey(key: key, path: path)
                    if withheld[claim] == nil {
                        withheld[claim] = .init(key: key, agreement: delivery.agreementID, path: path, tally: .init(past))
                    } else {
                        withheld[claim]!.tally.add(past)
                    }
                }
            case (.denied, .deny):
                break
            }
        }
        func byKey(_ a: FlowKey, _ b: FlowKey) -> Bool { (a.from, a.to, a.type, a.purpose) < (b.from, b.to, b.type, b.purpose) }
        return ImpactReport(
            decisions: total, first: first, last: last, day: day,
            opened: opened.values.sorted { byKey($0.key, $1.key) }, closed: closed.values.sorted { byKey($0.key, $1.key) },
            newlyDisclosed: disclosed.values.sorted { byKey($0.key, $1.key) || ($0.key == $1.key && $0.path < $1.path) },
            newlyWithheld: withheld.values.sorted { byKey($0.key, $1.key) || ($0.key == $1.key && $0.path < $1.path) },
            refusalsWithoutClassification: unclassified, notReplayed: skipped)
    }

    /// The paths that enclose a claim `type`'s schema declares without being one: `subject`
    /// and `indicators` for `subject.family_name` and `indicators[*]`.
    private static func containers(of type: String, in set: AgreementSet, cache: inout [String: Set<String>]) -> Set<String> {
        if let known = cache[type] { return known }
        let declared = Set(set.schemas[type]?.claims.map(\.path) ?? [])
        var out: Set<String> = []
        for path in declared {
            var index = path.startIndex
            while index < path.endIndex {
                let character = path[index]
                if character == "." || character == "[" {
                    let prefix = String(path[..<index])
                    if !declared.contains(prefix) { out.insert(prefix) }
                }
                index = path.index(after: index)
            }
        }
        cache[type] = out
        return out
    }

    /// The draft's decision. The leaf does not say whether the sender named its agreement;
    /// where the draft has several in effect for the flow, the one that decided at the time is
    /// taken as named, as its sender must have named it then.
    private static func decide(_ past: PastDecision, named: AgreementID?, draft: CompiledPolicy, on day: CalendarDate) -> Decision {
        var routing = RoutingClaims(issuer: past.from, type: past.type, recipients: [past.to], purpose: past.purpose,
                                    classification: (past.classification ?? .unclassified).rawValue)
        let decision = draft.evaluate(routing, claimPaths: past.offered, for: past.to, on: day)
        guard case .deny(let denial) = decision, denial.code == .ambiguousAgreement, let named,
              denial.agreements.contains(named) else { return decision }
        routing.agreement = named
        return draft.evaluate(routing, claimPaths: past.offered, for: past.to, on: day)
    }
}
