/// A name the gateway and its agencies use for one kind of thing, kept apart from every other
/// kind by its type: an agency id cannot be passed where an agreement id is expected, although
/// both are text on the wire, in YAML and in the database.
///
/// Conforming types hold only `rawValue`; the conformances below give them equality, order,
/// hashing, printing, string literals (so that tests and fixtures write `"nz.police"` or `"m\(n)"`), and
/// coding as a bare JSON string, as the API carries ids.
public protocol Identifier: RawRepresentable<String>, Sendable, Hashable, Comparable,
    CustomStringConvertible, ExpressibleByStringInterpolation, Codable
{
    init(rawValue: String)
}

extension Identifier {
    public init(_ text: some StringProtocol) { self.init(rawValue: String(text)) }

    public init(stringLiteral value: String) { self.init(rawValue: value) }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension Sequence where Element: Identifier {
    /// The ids' text joined, as lists of ids are shown and logged.
    public func joined(separator: String = "") -> String { map(\.rawValue).joined(separator: separator) }
}
