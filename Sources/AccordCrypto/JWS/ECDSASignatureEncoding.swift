/// Conversion between the JOSE form of an ES256 signature (r||s, 32 bytes each, RFC 7518
/// section 3.4) and the DER `ECDSA-Sig-Value` OpenSSL speaks, with the range checks that
/// must happen before OpenSSL sees a signature.
enum ECDSASignatureEncoding {
    /// The order n of the P-256 group, big-endian.
    static let p256Order: [UInt8] = [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ]

    /// Checks r||s and returns its DER form; refuses wrong lengths and r or s outside [1, n-1].
    static func der(fromJOSE signature: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard signature.count == 64 else {
            throw CryptoError(.invalidSignatureEncoding, "ES256 signature must be 64 bytes (r||s), got \(signature.count)")
        }
        let r = Array(signature[0..<32])
        let s = Array(signature[32..<64])
        for (name, value) in [("r", r), ("s", s)] {
            if value.allSatisfy({ $0 == 0 }) {
                throw CryptoError(.invalidSignatureEncoding, "ES256 signature has \(name) = 0")
            }
            if !lessThanOrder(value) {
                throw CryptoError(.invalidSignatureEncoding, "ES256 signature has \(name) not below the group order")
            }
        }
        let rInteger = derInteger(r)
        let sInteger = derInteger(s)
        let body = rInteger + sInteger
        return [0x30] + derLength(body.count) + body
    }

    /// Converts OpenSSL's DER signature to r||s.
    static func jose(fromDER der: [UInt8]) throws(CryptoError) -> [UInt8] {
        var reader = DERReader(der)
        guard reader.expect(tag: 0x30), let sequenceLength = reader.length(), sequenceLength == reader.remaining else {
            throw CryptoError(.invalidSignatureEncoding, "OpenSSL returned a malformed ECDSA signature")
        }
        var output: [UInt8] = []
        for _ in 0..<2 {
            guard reader.expect(tag: 0x02), let length = reader.length(), let bytes = reader.take(length) else {
                throw CryptoError(.invalidSignatureEncoding, "OpenSSL returned a malformed ECDSA signature")
            }
            let trimmed = Array(bytes.drop { $0 == 0 })
            guard trimmed.count <= 32 else { throw CryptoError(.invalidSignatureEncoding, "ECDSA integer longer than 32 bytes") }
            output += [UInt8](repeating: 0, count: 32 - trimmed.count) + trimmed
        }
        return output
    }

    private static func lessThanOrder(_ value: [UInt8]) -> Bool {
        for (a, b) in zip(value, p256Order) where a != b {
            return a < b
        }
        return false
    }

    private static func derInteger(_ magnitude: [UInt8]) -> [UInt8] {
        var bytes = Array(magnitude.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return [0x02] + derLength(bytes.count) + bytes
    }

    private static func derLength(_ length: Int) -> [UInt8] {
        length < 0x80 ? [UInt8(length)] : [0x81, UInt8(length)]
    }

    private struct DERReader {
        let bytes: [UInt8]
        var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var remaining: Int { bytes.count - offset }

        mutating func expect(tag: UInt8) -> Bool {
            guard offset < bytes.count, bytes[offset] == tag else { return false }
            offset += 1
            return true
        }

        mutating func length() -> Int? {
            guard offset < bytes.count else { return nil }
            let first = bytes[offset]
            offset += 1
            if first < 0x80 { return Int(first) }
            guard first == 0x81, offset < bytes.count else { return nil }
            defer { offset += 1 }
            return Int(bytes[offset])
        }

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count <= remaining else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
    }
}
