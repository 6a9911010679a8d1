/// When a flow's deliveries wait for a privacy officer before release (docs/agreements.md,
/// "Holds"): always, or when any of its conditions is met by the message; and how many
/// different officers must approve.
public struct HoldRule: Sendable, Hashable {
    /// Every delivery is held (`hold: always`, or the older `review: privacy-officer`).
    public let always: Bool
    /// Held when a claim that goes to the recipient carries one of these tags.
    public let disclosedTags: Set<SensitivityTag>
    /// Held when the message is marked at this level or above.
    public let classificationAtLeast: Classification?
    /// Held when the recipient's registry jurisdiction is not New Zealand.
    public let recipientOverseas: Bool
    /// Distinct officers whose approval releases a held delivery.
    public let approvals: Int

    public init(always: Bool = false, disclosedTags: Set<SensitivityTag> = [], classificationAtLeast: Classification? = nil,
                recipientOverseas: Bool = false, approvals: Int = 1) {
        self.always = always
        self.disclosedTags = disclosedTags
        self.classificationAtLeast = classificationAtLeast
        self.recipientOverseas = recipientOverseas
        self.approvals = approvals
    }

    /// The hold that `hold: always` and `review: privacy-officer` mean.
    public static let alwaysOnce = HoldRule(always: true)

    /// Whether any condition is written at all; a rule with none would never hold.
    public var hasCondition: Bool {
        always || !disclosedTags.isEmpty || classificationAtLeast != nil || recipientOverseas
    }

    /// The rule in a line, for the console and `accord agreements` listings.
    public var summary: String {
        var parts: [String] = []
        if always { parts.append("always") }
        if !disclosedTags.isEmpty {
            parts.append("when a claim tagged \(disclosedTags.map(\.rawValue).sorted().joined(separator: " or ")) is disclosed")
        }
        if let level = classificationAtLeast { parts.append("when marked \(level.rawValue) or above") }
        if recipientOverseas { parts.append("when the recipient is overseas") }
        let who = approvals == 1 ? "one privacy officer" : "\(approvals) different privacy officers"
        return parts.joined(separator: "; ") + " (released by \(who))"
    }

    /// Why one message to one recipient is held under this rule, in a stable order: always,
    /// then each disclosed tagged claim, then the classification, then the jurisdiction.
    /// Empty: not held. `disclosed` pairs each path that goes with the claim's tags.
    func reasons(disclosed: [(path: String, tags: Set<SensitivityTag>)], classification: Classification,
                 recipient: Agency) -> [HoldReason] {
        var out: [HoldReason] = []
        if always { out.append(.always) }
        if !disclosedTags.isEmpty {
            for claim in disclosed {
                if let tag = SensitivityTag.allCases.first(where: { claim.tags.contains($0) && disclosedTags.contains($0) }) {
                    out.append(.taggedClaim(tag: tag, path: claim.path))
                }
            }
        }
        if let level = classificationAtLeast, classification >= level { out.append(.classification(atLeast: level)) }
        if recipientOverseas, recipient.isOverseas { out.append(.overseas(jurisdiction: recipient.jurisdiction)) }
        return out
    }
}

/// Why a delivery is held: a stable code and the claim path, level or jurisdiction that met
/// the condition, never a claim's value, so that it is audited as it is (docs/audit.md).
public enum HoldReason: Sendable, Hashable {
    case always
    case taggedClaim(tag: SensitivityTag, path: String)
    case classification(atLeast: Classification)
    case overseas(jurisdiction: String)

    /// The condition's code, as audited in the `message.held` leaf's details.
    public var code: String {
        switch self {
        case .always: "always"
        case .taggedClaim(let tag, _): "disclosed-\(tag.rawValue)"
        case .classification: "classification"
        case .overseas: "recipient-overseas"
        }
    }

    /// For the officer and `explain`: which condition held it, and on what.
    public var description: String {
        switch self {
        case .always: "the flow holds every delivery"
        case .taggedClaim(let tag, let path): "'\(path)' is tagged \(tag.rawValue) and goes to the recipient"
        case .classification(let level): "the message is marked \(level.rawValue) or above"
        case .overseas(let jurisdiction): "the recipient is overseas (\(jurisdiction))"
        }
    }
}
