import Foundation
import AccordCrypto

/// The gateway's secret for keyed hashes of subject identifiers. The log holds only these
/// hashes, so it can answer "who received information about passport X" for someone who
/// holds the key, while a copy of the log alone reveals no identifier.
public struct SubjectKey: Sendable {
    private let secret: [UInt8]

    /// `secret` must be at least 32 bytes, as produced by `accord pki init`.
    public init(secret: [UInt8]) throws(AuditError) {
        guard secret.count >= 32 else { throw AuditError(.invalidRecord, "the subject HMAC key must be at least 32 bytes") }
        self.secret = secret
    }

    /// Parses the hex text of the key file (64 hex characters, surrounding whitespace ignored).
    public init(hex: String) throws(AuditError) {
        guard let bytes = Hex.decode(hex.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw AuditError(.invalidRecord, "the subject HMAC key file must hold hexadecimal")
        }
        try self.init(secret: bytes)
    }

    /// HMAC-SHA-256 over "accord-subject-v1" 0x00 type 0x00 value, after normalising both so
    /// that the officer's typing and the agency's data meet: the type in lower case, the value
    /// NFKC-normalised, trimmed and upper-cased.
    public func hash(type: String, value: String) -> SubjectHash {
        let normalizedType = Self.normalize(type: type)
        let normalizedValue = value.precomposedStringWithCompatibilityMapping
            .trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
        let message = Array("accord-subject-v1".utf8) + [0] + Array(normalizedType.utf8) + [0] + Array(normalizedValue.utf8)
        return SubjectHash(type: normalizedType, hmac: Hex.encode(HMACSHA256.authenticationCode(key: secret, message: message)))
    }

    static func normalize(type: String) -> String {
        type.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
