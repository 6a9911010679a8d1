/// A message type and the claims it may carry, from `Agreements/schemas/<type>.yaml`.
/// Claims a schema does not declare are never forwarded.
public struct MessageSchema: Sendable, Hashable {
    public let type: String
    public let title: String
    public let claims: [ClaimSchema]
    /// The claims with a controlled vocabulary (`values:`), whose every value a message must take from it.
    public let controlledClaims: [ClaimSchema]
    let claimsByPath: [String: ClaimSchema]

    public init(type: String, title: String, claims: [ClaimSchema]) {
        self.type = type
        self.title = title
        self.claims = claims
        controlledClaims = claims.filter { !$0.values.isEmpty }
        var byPath: [String: ClaimSchema] = [:]
        for claim in claims where byPath[claim.path] == nil { byPath[claim.path] = claim }
        self.claimsByPath = byPath
    }

    public func claim(at path: String) -> ClaimSchema? { claimsByPath[path] }
}

/// One claim a message type may carry: its path, data type and sensitivity.
public struct ClaimSchema: Sendable, Hashable {
    public let path: String
    public let dataType: ClaimDataType
    public let tags: Set<SensitivityTag>
    /// The controlled vocabulary of an `enum` claim.
    public let values: [String]
    /// `values` for lookups: checked for every controlled value of every message.
    public let allowedValues: Set<String>
    public let description: String

    public init(path: String, dataType: ClaimDataType, tags: Set<SensitivityTag> = [], values: [String] = [],
                description: String = "") {
        self.path = path
        self.dataType = dataType
        self.tags = tags
        self.values = values
        allowedValues = Set(values)
        self.description = description
    }
}
