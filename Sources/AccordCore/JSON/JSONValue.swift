/// A JSON value (RFC 8259), the one every Accord target reads and writes. Numbers keep their
/// literal text, so a value read from a sender is never rounded; object member order is not
/// kept, because `CanonicalJSON` sorts members so that one value has one encoding.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number's literal text, already checked against the RFC 8259 grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The largest magnitude that survives an IEEE 754 double, as I-JSON (RFC 7493) requires.
    public static let maximumSafeInteger: Int64 = (1 << 53) - 1

    public static func integer(_ value: some BinaryInteger) -> JSONValue { .number(String(value)) }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The number as an integer, when its literal is one that fits in `Int`.
    public var integerValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// The number as a `Double`, for NumericDate claims that may carry a fraction.
    public var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}
