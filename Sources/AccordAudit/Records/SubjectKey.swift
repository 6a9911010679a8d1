import AccordCore
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
        let normalizedValue = Self.normalize(value: value)
        let message = Array("accord-subject-v1".utf8) + [0] + Array(normalizedType.utf8) + [0] + Array(normalizedValue.utf8)
        return SubjectHash(type: normalizedType, hmac: Hex.encode(HMACSHA256.authenticationCode(key: secret, message: message)))
    }

    static func normalize(type: String) -> String {
        Self.ascii(type, upper: false) ?? type.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    static func normalize(value: String) -> String {
        Self.ascii(value, upper: true) ?? Self.normalizeWithFoundation(value: value)
    }

    static func normalizeWithFoundation(value: String) -> String {
        value.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }

    /// The same normalisation for ASCII text, on bytes: NFKC leaves ASCII alone, and its
    /// whitespace and case are ASCII's. Identifiers are nearly always ASCII, and Foundation's
    /// string bridging was most of the cost of hashing them on the submit path. Nil for any
    /// other text.
    static func ascii(_ text: String, upper: Bool) -> String? {
        var bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        let end = (bytes.lastIndex { !isSpace($0) }).map { $0 + 1 } ?? start
        bytes = Array(bytes[start..<max(start, end)])
        for index in bytes.indices {
            let byte = bytes[index]
            if upper, (0x61...0x7A).contains(byte) { bytes[index] = byte - 0x20 }
            if !upper, (0x41...0x5A).contains(byte) { bytes[index] = byte + 0x20 }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
