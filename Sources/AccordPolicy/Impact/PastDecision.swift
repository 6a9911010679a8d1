public import AccordCore
public import Foundation

/// Decisions the gateway recorded in its audit log, reduced to what a replay needs: sender,
/// recipient, type, purpose, classification, the claim paths offered and the outcome, never
/// a value. Identical decisions come as one, with how many there were and when.
public struct PastDecision: Sendable, Hashable {
    /// What the gateway decided for this recipient.
    public enum Outcome: Sendable, Hashable {
        /// Delivered (or held for review) under `agreement`, disclosing `disclosed`.
        case delivered(agreement: AgreementID, disclosed: [String])
        /// Refused by the policy with this denial code.
        case denied(DenialCode)
    }

    public let from: AgencyID
    public let to: AgencyID
    public let type: String
    public let purpose: String
    /// Nil where the leaf does not record it (refusals do not).
    public let classification: Classification?
    /// The schema's claim paths the message carried, disclosed or withheld; unknown for refusals.
    public let offered: [String]
    public let outcome: Outcome
    public let count: Int
    public let first: Date
    public let last: Date

    public init(from: AgencyID, to: AgencyID, type: String, purpose: String, classification: Classification?, offered: [String],
                outcome: Outcome, count: Int, first: Date, last: Date) {
        self.from = from
        self.to = to
        self.type = type
        self.purpose = purpose
        self.classification = classification
        self.offered = offered
        self.outcome = outcome
        self.count = count
        self.first = first
        self.last = last
    }

    var key: FlowKey { FlowKey(from: from, to: to, type: type, purpose: purpose) }
}

extension PastDecision {
    /// A decision as an audit leaf spells it. Nil for a refusal whose code is not a policy
    /// denial: the policy never decided it, so a draft could not decide it otherwise.
    public init?(from: String, to: String, type: String, purpose: String, classification: String?, agreement: String?,
                 denial: String?, disclosed: [String], withheld: [String], count: Int, first: Date, last: Date) {
        let outcome: Outcome
        if let agreement {
            outcome = .delivered(agreement: AgreementID(agreement), disclosed: disclosed)
        } else if let code = denial.flatMap(DenialCode.init(rawValue:)) {
            outcome = .denied(code)
        } else {
            return nil
        }
        self.init(from: AgencyID(from), to: AgencyID(to), type: type, purpose: purpose, classification: classification.flatMap(Classification.init(rawValue:)),
                  offered: disclosed + withheld, outcome: outcome, count: count, first: first, last: last)
    }
}
