/// What the gateway knows about a message before deciding: the routing claims in clear and
/// the paths of the claims present (never their values).
public struct MessageRouting: Sendable, Hashable {
    public let issuer: String
    public let type: String
    public let to: [String]
    public let purpose: String
    public let classification: String
    /// The agreement the sender relies on, required where several cover one flow.
    public let agreement: String?
    public let caseRef: String?
    /// Dotted paths with `[*]` for array elements, e.g. `subject.passport_number`, `indicators[*]`.
    public let claimPaths: [String]

    public init(issuer: String, type: String, to: [String], purpose: String, classification: String,
                agreement: String? = nil, caseRef: String? = nil, claimPaths: [String]) {
        self.issuer = issuer
        self.type = type
        self.to = to
        self.purpose = purpose
        self.classification = classification
        self.agreement = agreement
        self.caseRef = caseRef
        self.claimPaths = claimPaths
    }
}
