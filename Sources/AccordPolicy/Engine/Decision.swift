public import AccordCore

/// What the gateway does with one message for one recipient. Deny is the default: a message
/// goes only where an agreement in effect covers sender, recipient, type and purpose.
public enum Decision: Sendable, Hashable {
    case deliver(Delivery)
    case deny(Denial)

    public var isDeliver: Bool {
        if case .deliver = self { return true }
        return false
    }
}

/// A permitted delivery: which claims go, which are withheld and why, under which agreement.
public struct Delivery: Sendable, Hashable {
    public let agreementID: AgreementID
    /// SHA-256 hex of the agreement file that decided.
    public let agreementDigest: String
    public let agreementVersion: Int
    public let flowNumber: Int
    public let disclosed: [String]
    public let withheld: [WithheldClaim]
    /// Why the delivery waits for a privacy officer's approval before release; empty: it does not.
    public let holdReasons: [HoldReason]
    /// Distinct officers whose approval releases it, when held.
    public let approvalsRequired: Int
    public let handling: HandlingCode

    /// Held for a privacy officer's approval before release.
    public var held: Bool { !holdReasons.isEmpty }

    public var withheldPaths: [String] { withheld.map(\.path) }
}

/// A claim path present in the message that does not go to this recipient.
public struct WithheldClaim: Sendable, Hashable {
    public let path: String
    public let reason: WithholdReason
}

/// Why a claim is withheld.
public enum WithholdReason: String, Sendable, Hashable {
    /// The message type's schema does not declare the path.
    case unknownToSchema = "unknown-to-schema"
    /// The flow lists it under `never_disclose`.
    case neverDisclosed = "never-disclosed"
    /// The flow does not list it under `disclose`.
    case notInFlow = "not-in-flow"
    /// Child-tagged, to an agency that is not a child welfare and protection agency, and
    /// the flow states no statutory basis for it.
    case childProtected = "child-protected"
}

/// A refusal: a stable code and an explanation that names ids, never payload values.
public struct Denial: Sendable, Hashable {
    public let code: DenialCode
    /// Agreements involved: the candidates of an ambiguous flow, or the one that is not in effect.
    public let agreements: [AgreementID]
    let context: DenialContext

    init(_ code: DenialCode, _ context: DenialContext, agreements: [AgreementID] = []) {
        self.code = code
        self.context = context
        self.agreements = agreements
    }

    /// Built when asked for, so that refusing costs no string formatting on the hot path.
    public var explanation: String {
        let route = context.key?.description ?? ""
        let name = context.name ?? ""
        let first = agreements.first?.rawValue ?? ""
        switch code {
        case .recipientNotAddressed: return "'\(name)' is not among the message's recipients"
        case .unknownSender: return "sender '\(name)' is not in the agency registry"
        case .unknownRecipient: return "recipient '\(name)' is not in the agency registry"
        case .unknownMessageType: return "message type '\(name)' has no schema"
        case .unknownClassification: return "classification '\(name)' is not a known marking"
        case .namedAgreementDoesNotCover: return "agreement '\(first)' has no flow for \(route)"
        case .noAgreement: return "no agreement has a flow for \(route)"
        case .agreementNotActive: return "agreement '\(first)' covers \(route) but is a draft"
        case .agreementSuspended: return "agreement '\(first)' covers \(route) but is suspended"
        case .agreementExpired:
            if let date = context.date { return "agreement '\(first)' covers \(route) but ended on \(date)" }
            return "agreement '\(first)' covers \(route) but has expired"
        case .agreementNotYetValid: return "agreement '\(first)' covers \(route) but starts on \(context.date.map(\.description) ?? "")"
        case .ambiguousAgreement:
            return "several agreements cover \(route): \(agreements.map(\.rawValue).joined(separator: ", ")); the message must name one"
        case .classificationAboveCeiling:
            return "\(name) is above the \(context.ceiling?.rawValue ?? "") ceiling of flow \(context.flowNumber ?? 0) of '\(first)'"
        }
    }
}

/// The facts a denial's explanation is made from.
struct DenialContext: Sendable, Hashable {
    var key: FlowKey?
    var name: String?
    var date: CalendarDate?
    var ceiling: Classification?
    var flowNumber: Int?
}

/// Stable denial codes, checked in this order.
public enum DenialCode: String, Sendable, Hashable, CaseIterable {
    case recipientNotAddressed = "recipient-not-addressed"
    case unknownSender = "unknown-sender"
    case unknownRecipient = "unknown-recipient"
    case unknownMessageType = "unknown-message-type"
    case unknownClassification = "unknown-classification"
    case namedAgreementDoesNotCover = "named-agreement-does-not-cover"
    case noAgreement = "no-agreement"
    case agreementNotActive = "agreement-not-active"
    case agreementSuspended = "agreement-suspended"
    case agreementExpired = "agreement-expired"
    case agreementNotYetValid = "agreement-not-yet-valid"
    case ambiguousAgreement = "ambiguous-agreement"
    case classificationAboveCeiling = "classification-above-ceiling"
}
