public import AccordCore

/// A statement from `properties.yaml` that the agreement set must always satisfy: no
/// delivery the set can make matches `never` (docs/agreements.md, "Properties").
public struct AgreementProperty: Sendable, Hashable {
    public let name: String
    public let never: PropertyPattern
    /// Where the property starts in `properties.yaml`, for every problem and counterexample.
    public let location: SourceLocation

    public init(name: String, never: PropertyPattern, location: SourceLocation) {
        self.name = name
        self.never = never
        self.location = location
    }
}

/// What a property forbids. Every field given must match (and); within a list any entry may
/// match (or). With `tags` or `paths`, the pattern names claims a delivery discloses; without
/// them, it names the delivery itself, whatever it discloses.
public struct PropertyPattern: Sendable, Hashable {
    public var tags: Set<SensitivityTag>?
    /// Claim paths, where `*` stands for any run of characters (`informant.*`).
    public var paths: [String]?
    public var from: [AgencyID]?
    public var to: [AgencyID]?
    public var toJurisdiction: JurisdictionPattern?
    public var types: [String]?
    public var purposes: [String]?
    public var classificationAtLeast: Classification?

    public init(tags: Set<SensitivityTag>? = nil, paths: [String]? = nil, from: [AgencyID]? = nil, to: [AgencyID]? = nil,
                toJurisdiction: JurisdictionPattern? = nil, types: [String]? = nil, purposes: [String]? = nil,
                classificationAtLeast: Classification? = nil) {
        self.tags = tags
        self.paths = paths
        self.from = from
        self.to = to
        self.toJurisdiction = toJurisdiction
        self.types = types
        self.purposes = purposes
        self.classificationAtLeast = classificationAtLeast
    }

    /// Whether the pattern is about claims rather than whole deliveries.
    public var namesClaims: Bool { tags != nil || paths != nil }

    func matches(_ key: FlowKey, recipient: Agency) -> Bool {
        (from?.contains(key.from) ?? true) && (to?.contains(key.to) ?? true)
            && (types?.contains(key.type) ?? true) && (purposes?.contains(key.purpose) ?? true)
            && (toJurisdiction?.matches(recipient) ?? true)
    }

    func matches(_ claim: ClaimSchema) -> Bool {
        (tags.map { !$0.isDisjoint(with: claim.tags) } ?? true)
            && (paths.map { $0.contains { PathPattern.matches($0, claim.path) } } ?? true)
    }
}

/// `to_jurisdiction`: any recipient outside New Zealand, or one country.
public enum JurisdictionPattern: Sendable, Hashable {
    case overseas
    /// An ISO 3166-1 alpha-2 code, `NZ` included.
    case country(String)

    func matches(_ agency: Agency) -> Bool {
        switch self {
        case .overseas: agency.isOverseas
        case .country(let code): agency.jurisdiction == code
        }
    }
}

/// Claim path patterns: `*` matches any run of characters, dots included, so `informant.*`
/// names every claim under `informant` and `*.address` every address.
enum PathPattern {
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map { Array($0.utf8) }
        let text = Array(path.utf8)
        guard parts.count > 1 else { return parts[0] == text }
        guard text.starts(with: parts[0]) else { return false }
        var position = parts[0].count
        // Each middle part is taken at its first occurrence, which leaves the most room for the rest.
        for part in parts.dropFirst().dropLast() {
            guard let found = firstIndex(of: part, in: text, from: position) else { return false }
            position = found + part.count
        }
        let last = parts[parts.count - 1]
        return text.count - position >= last.count && text.suffix(last.count).elementsEqual(last)
    }

    private static func firstIndex(of part: [UInt8], in text: [UInt8], from start: Int) -> Int? {
        guard !part.isEmpty else { return start }
        var index = start
        while index + part.count <= text.count {
            if text[index..<(index + part.count)].elementsEqual(part) { return index }
            index += 1
        }
        return nil
    }
}
