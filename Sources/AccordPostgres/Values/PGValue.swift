/// A statement parameter. Every kind is sent in PostgreSQL's binary format, so text and bytes
/// arrive exactly as given, whatever quotes, backslashes or zero bytes they hold.
public enum PGValue: Sendable, Equatable {
    case null
    case text(String)
    case bytes([UInt8])
    case int(Int64)
    case bool(Bool)

    /// The parameter's type OID and its binary encoding (nil for SQL NULL).
    var encoded: (type: UInt32, bytes: [UInt8]?) {
        switch self {
        case .null: (0, nil)
        case .text(let string): (25, Array(string.utf8))
        case .bytes(let bytes): (17, bytes)
        case .int(let value): (20, withUnsafeBytes(of: value.bigEndian) { Array($0) })
        case .bool(let value): (16, [value ? 1 : 0])
        }
    }
}

extension PGValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(nilLiteral: ()) { self = .null }
}
