/// The one error type of AccordAudit: a stable code, a human message that says what was
/// wrong and where, for proofs, checkpoints, notes, canonical JSON and audit records.
public struct AuditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reason. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case indexOutOfRange = "index-out-of-range"
        case invalidTreeSize = "invalid-tree-size"
        case proofInvalid = "proof-invalid"
        case rootMismatch = "root-mismatch"
        case invalidNote = "invalid-note"
        case invalidKeyName = "invalid-key-name"
        case invalidVerifierKey = "invalid-verifier-key"
        case unknownKey = "unknown-key"
        case signatureInvalid = "signature-invalid"
        case invalidCheckpoint = "invalid-checkpoint"
        case invalidJSON = "invalid-json"
        case nonCanonicalJSON = "non-canonical-json"
        case unsupportedJSONValue = "unsupported-json-value"
        case invalidRecord = "invalid-record"
        case signingFailed = "signing-failed"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
