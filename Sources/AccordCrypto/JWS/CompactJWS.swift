import AccordCore

/// JWS compact serialization (RFC 7515 section 7.1): `header.payload.signature`, each part
/// base64url without padding. Parsing splits and decodes; the caller checks the header.
public struct CompactJWS: Sendable, Equatable {
    public let header: [UInt8]
    public let payload: [UInt8]
    public let signature: [UInt8]
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: the bytes that were signed.
    public let signingInput: [UInt8]

    /// Splits and decodes a compact JWS, naming the part that is malformed.
    public init(parsing text: some StringProtocol) throws(CryptoError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw CryptoError(.invalidBase64URL, "a compact JWS has 3 dot-separated parts, found \(parts.count)")
        }
        do { header = try Base64URL.decode(parts[0]) } catch {
            throw CryptoError(.invalidBase64URL, "JWS header: \(error.message)")
        }
        do { payload = try Base64URL.decode(parts[1]) } catch {
            throw CryptoError(.invalidBase64URL, "JWS payload: \(error.message)")
        }
        do { signature = try Base64URL.decode(parts[2]) } catch {
            throw CryptoError(.invalidBase64URL, "JWS signature: \(error.message)")
        }
        signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
    }

    /// Signs `header` and `payload` (both already JSON bytes) and returns the compact form.
    public static func sign(header: [UInt8], payload: [UInt8], signer: JWSSigner) throws(CryptoError) -> String {
        let input = Base64URL.encode(header) + "." + Base64URL.encode(payload)
        let signature = try signer.sign(Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }

    /// Verifies the signature with `verifier`.
    public func verify(with verifier: JWSVerifier) throws(CryptoError) {
        try verifier.verify(signature: signature, for: signingInput)
    }
}
