/// One row of a result, its columns in PostgreSQL's text format; the accessors convert them.
public struct PGRow: Sendable {
    let columns: [String]
    let types: [UInt32]
    let values: [[UInt8]?]

    public var count: Int { values.count }

    public func isNull(_ column: Int) -> Bool { values[column] == nil }

    public func string(_ column: Int) throws -> String? {
        values[column].map { String(decoding: $0, as: UTF8.self) }
    }

    public func int(_ column: Int) throws -> Int64? {
        guard let text = try string(column) else { return nil }
        guard let value = Int64(text) else {
            throw PGError(.conversion, "column \(columns[column]) is not an integer")
        }
        return value
    }

    public func bool(_ column: Int) throws -> Bool? {
        guard let text = try string(column) else { return nil }
        switch text {
        case "t": return true
        case "f": return false
        default: throw PGError(.conversion, "column \(columns[column]) is not a boolean")
        }
    }

    /// A `bytea` column, which the text format sends as `\x` and hex digits.
    public func bytes(_ column: Int) throws -> [UInt8]? {
        guard let raw = values[column] else { return nil }
        guard types[column] == 17, raw.count >= 2, raw[0] == UInt8(ascii: "\\"), raw[1] == UInt8(ascii: "x"), raw.count % 2 == 0 else {
            throw PGError(.conversion, "column \(columns[column]) is not bytea in hex format")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count / 2 - 1)
        var index = 2
        while index < raw.count {
            guard let high = Self.hexDigit(raw[index]), let low = Self.hexDigit(raw[index + 1]) else {
                throw PGError(.conversion, "column \(columns[column]) holds a malformed bytea")
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The index of the column named `name`.
    public func column(_ name: String) throws -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw PGError(.conversion, "the result has no column \(name)")
        }
        return index
    }

    private static func hexDigit(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// What a statement returned: its rows, and how many rows it changed.
public struct PGResult: Sendable {
    public let rows: [PGRow]
    public let affectedRows: Int
}
