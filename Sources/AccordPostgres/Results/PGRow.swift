import AccordCore

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
        guard let bytes = Hex.decode(utf8: raw.dropFirst(2)) else {
            throw PGError(.conversion, "column \(columns[column]) holds a malformed bytea")
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
}

/// What a statement returned: its rows, and how many rows it changed.
public struct PGResult: Sendable {
    public let rows: [PGRow]
    public let affectedRows: Int
}
