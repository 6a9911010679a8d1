/// The one error type of AccordPolicy: a stable code, a reason a person can act on, and,
/// for a set of agreements that failed validation, every problem found in that run.
public struct PolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes; tools match on them.
    public enum Code: String, Sendable, Hashable {
        /// The agreement files have problems; `diagnostics` lists all of them.
        case invalidAgreements = "invalid-agreements"
        /// A directory or file could not be read.
        case unreadableSource = "unreadable-source"
        /// A scenario file is malformed; `diagnostics` says where.
        case invalidScenario = "invalid-scenario"
        /// A message given to a tool is not in the expected shape.
        case invalidMessage = "invalid-message"
    }

    public let code: Code
    public let reason: String
    public let diagnostics: [Diagnostic]

    public init(_ code: Code, _ reason: String, diagnostics: [Diagnostic] = []) {
        self.code = code
        self.reason = reason
        self.diagnostics = diagnostics
    }

    public var description: String {
        ([reason] + diagnostics.map(\.description)).joined(separator: "\n")
    }
}
