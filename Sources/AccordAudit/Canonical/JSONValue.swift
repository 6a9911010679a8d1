/// The JSON that audit records use: strings, integers within ±(2^53 − 1), booleans, null,
/// arrays and objects. No fractional numbers, so RFC 8785's ECMAScript number rules reduce to
/// plain decimal integers and every value has exactly one canonical encoding.
public enum JSONValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest magnitude that survives an IEEE 754 double, as I-JSON (RFC 7493) requires.
    public static let maximumSafeInteger: Int64 = (1 << 53) - 1

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var integerValue: Int64? {
        if case .integer(let value) = self { value } else { nil }
    }
}
