/// Every failure of AccordPostgres: what kind, the SQLSTATE when the server gave one, and a message
/// that never holds a parameter value. Server messages of the classes that can quote a value
/// (data exceptions, raised exceptions, internal errors) are replaced by the class's name, and the
/// server's DETAIL, which quotes rows and keys, is never read.
public struct PGError: Error, Sendable, CustomStringConvertible {
    /// Where the failure came from.
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or was lost.
        case connection
        /// The server refused a statement; `sqlState` says why.
        case server
        /// A parameter or a result column could not be converted.
        case conversion
    }

    public let kind: Kind
    /// The five-character SQLSTATE, e.g. `23505` for a unique violation.
    public let sqlState: String?
    public let message: String

    public init(_ kind: Kind, sqlState: String? = nil, _ message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// A serialization failure or a deadlock: the transaction may succeed if run again.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// The connection is gone: lost, refused, or ended by the server shutting down (class 57P).
    public var isConnectionLoss: Bool { kind == .connection || sqlState?.hasPrefix("08") == true || sqlState?.hasPrefix("57P") == true }

    public var description: String {
        if let sqlState { return "PostgreSQL error \(sqlState): \(message)" }
        return "PostgreSQL: \(message)"
    }
}

extension PGError {
    /// SQLSTATE classes whose primary message names only schema objects and SQL text, never a value.
    static let classesWithValueFreeMessages: Set<Substring> = ["08", "23", "25", "28", "3D", "40", "42", "53", "54", "55", "57", "58"]

    static let classNames: [Substring: String] = [
        "22": "data exception",
        "P0": "exception raised by a function",
        "XX": "internal error",
        "0A": "feature not supported",
        "21": "cardinality violation",
        "2B": "dependent objects still exist",
        "44": "check option violation",
    ]

    static func server(sqlState: String, primary: String, constraint: String?, table: String?, column: String?) -> PGError {
        let code = sqlState.prefix(2)
        var message: String
        if classesWithValueFreeMessages.contains(code) {
            message = primary
        } else {
            message = classNames[code] ?? "statement failed"
        }
        let schema = [table.map { "table \($0)" }, column.map { "column \($0)" }, constraint.map { "constraint \($0)" }]
            .compactMap { $0 }
        if !schema.isEmpty, !classesWithValueFreeMessages.contains(code) {
            message += " (\(schema.joined(separator: ", ")))"
        }
        return PGError(.server, sqlState: sqlState, message)
    }
}
