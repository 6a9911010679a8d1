/// A statement declared once and prepared lazily on each connection that runs it, so a pool's
/// connections share one declaration and each parses the SQL only the first time.
public struct PGStatement: Sendable, Hashable {
    public let sql: String

    public init(_ sql: String) { self.sql = sql }
}
