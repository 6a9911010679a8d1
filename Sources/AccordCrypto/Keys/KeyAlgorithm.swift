/// The signature algorithms Accord accepts: ES256 (ECDSA P-256 with SHA-256, JOSE r||s
/// form) and EdDSA (Ed25519). Anything else is refused by name.
public enum KeyAlgorithm: String, Sendable, Hashable, CaseIterable, Codable {
    case es256 = "ES256"
    case edDSA = "EdDSA"

    /// The JWS `alg` header value.
    public var jwsName: String { rawValue }

    public init(jwsName: String) throws(CryptoError) {
        guard let algorithm = KeyAlgorithm(rawValue: jwsName) else {
            throw CryptoError(.unsupportedAlgorithm, "JWS algorithm '\(jwsName)' is not accepted; use ES256 or EdDSA")
        }
        self = algorithm
    }

    /// Length of a JOSE signature in bytes.
    public var signatureByteCount: Int { 64 }
}
