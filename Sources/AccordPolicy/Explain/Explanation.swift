public import AccordCore

/// A decision with the reasons behind it, for people: the agreement and flow that matched,
/// the law relied on, and the rule that decided each claim.
public struct Explanation: Sendable, Hashable {
    public let decision: Decision
    public let agreementID: AgreementID?
    public let flowNumber: Int?
    public let flowLocation: SourceLocation?
    public let legalBasis: [LegalBasis]
    public let claims: [ClaimVerdict]
}

/// How one claim path was decided, and by which rule.
public struct ClaimVerdict: Sendable, Hashable {
    public let path: String
    /// nil when disclosed.
    public let withheld: WithholdReason?
    public let rule: String
}

extension Explanation {
    /// The explanation as lines for a terminal: the decision, the agreement and flow with where
    /// it is written, the law relied on, and for each claim path its outcome and rule.
    public func lines(in set: AgreementSet) -> [String] {
        var lines: [String] = []
        switch decision {
        case .deny(let denial):
            lines.append("decision: deny (\(denial.code.rawValue))")
            lines.append("why: \(denial.explanation)")
        case .deliver(let d):
            lines.append("decision: deliver\(d.held ? ", held for a privacy officer's approval" : "")")
            if let agreement = set.agreement(id: d.agreementID) {
                lines.append("agreement: \(agreement.id) version \(agreement.version) - \(agreement.title)")
                lines.append("flow: \(d.flowNumber) at \(flowLocation.map(\.description) ?? agreement.file)")
                lines.append("version digest: sha256:\(d.agreementDigest)")
                lines.append("handling: \(d.handling.rawValue)")
                if d.held {
                    lines.append("held until approved by \(d.approvalsRequired == 1 ? "a privacy officer" : "\(d.approvalsRequired) different privacy officers"), because:")
                    for reason in d.holdReasons { lines.append("  \(reason.code): \(reason.description)") }
                }
                lines.append("legal basis:")
                for basis in agreement.legalBasis { lines.append("  \(basis.instrument), \(basis.provision)") }
            }
            lines.append("claims:")
            let width = claims.map(\.path.count).max() ?? 0
            for claim in claims {
                let verdict = claim.withheld.map { "withheld (\($0.rawValue))" } ?? "disclosed"
                let path = claim.path + String(repeating: " ", count: width - claim.path.count)
                let padded = verdict + String(repeating: " ", count: max(0, 32 - verdict.count))
                lines.append("  \(path)  \(padded) \(claim.rule)")
            }
        }
        return lines
    }
}
