import AccordCore
import COpenSSL

/// A public JSON Web Key (RFC 7517) for P-256 (`kty` EC) or Ed25519 (`kty` OKP), with its
/// RFC 7638 thumbprint. Private members are never produced.
public struct JWK: Codable, Sendable, Hashable {
    public var kty: String
    public var crv: String
    public var x: String
    public var y: String?
    public var kid: String?

    public init(kty: String, crv: String, x: String, y: String? = nil, kid: String? = nil) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.y = y
        self.kid = kid
    }

    private static let p256Prefix: [UInt8] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
        0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ]
    private static let ed25519Prefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    init(subjectPublicKeyInfo der: [UInt8], algorithm: KeyAlgorithm) throws(CryptoError) {
        switch algorithm {
        case .es256:
            if der.count == Self.p256Prefix.count + 64, Array(der.prefix(Self.p256Prefix.count)) == Self.p256Prefix {
                let point = der.dropFirst(Self.p256Prefix.count)
                self.init(kty: "EC", crv: "P-256", x: Base64URL.encode(point.prefix(32)), y: Base64URL.encode(point.suffix(32)))
            } else {
                let (x, y) = try Self.affineCoordinates(spki: der)
                self.init(kty: "EC", crv: "P-256", x: Base64URL.encode(x), y: Base64URL.encode(y))
            }
        case .edDSA:
            guard der.count == Self.ed25519Prefix.count + 32, Array(der.prefix(Self.ed25519Prefix.count)) == Self.ed25519Prefix else {
                throw CryptoError(.invalidDER, "not an Ed25519 SubjectPublicKeyInfo")
            }
            self.init(kty: "OKP", crv: "Ed25519", x: Base64URL.encode(der.suffix(32)))
        }
    }

    /// The SubjectPublicKeyInfo DER this JWK describes; OpenSSL checks the point when parsing it.
    func subjectPublicKeyInfo() throws(CryptoError) -> [UInt8] {
        let xBytes: [UInt8]
        do { xBytes = try Base64URL.decode(x) } catch { throw CryptoError(.invalidJWK, "JWK member 'x' is not base64url") }
        switch (kty, crv) {
        case ("EC", "P-256"):
            guard let y else { throw CryptoError(.invalidJWK, "EC JWK has no 'y' member") }
            let yBytes: [UInt8]
            do { yBytes = try Base64URL.decode(y) } catch { throw CryptoError(.invalidJWK, "JWK member 'y' is not base64url") }
            guard xBytes.count == 32, yBytes.count == 32 else {
                throw CryptoError(.invalidJWK, "P-256 JWK coordinates must be 32 bytes each (got \(xBytes.count) and \(yBytes.count))")
            }
            return Self.p256Prefix + xBytes + yBytes
        case ("OKP", "Ed25519"):
            guard xBytes.count == 32 else { throw CryptoError(.invalidJWK, "Ed25519 JWK 'x' must be 32 bytes (got \(xBytes.count))") }
            return Self.ed25519Prefix + xBytes
        default:
            throw CryptoError(.unsupportedAlgorithm, "JWK kty '\(kty)' with crv '\(crv)' is not accepted; use EC/P-256 or OKP/Ed25519")
        }
    }

    /// RFC 7638: SHA-256 over the required members in lexicographic order, no white space.
    public var thumbprint: [UInt8] {
        let canonical: String = if kty == "EC" {
            #"{"crv":"\#(crv)","kty":"\#(kty)","x":"\#(x)","y":"\#(y ?? "")"}"#
        } else {
            #"{"crv":"\#(crv)","kty":"\#(kty)","x":"\#(x)"}"#
        }
        return SHA256.hash(canonical)
    }

    /// The thumbprint in base64url, as used for `kid` values.
    public var thumbprintBase64URL: String { Base64URL.encode(thumbprint) }

    private static func affineCoordinates(spki der: [UInt8]) throws(CryptoError) -> ([UInt8], [UInt8]) {
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw OpenSSLErrorQueue.error(.invalidDER, "not a SubjectPublicKeyInfo") }
        defer { EVP_PKEY_free(key) }
        func coordinate(_ name: String) throws(CryptoError) -> [UInt8] {
            var number: OpaquePointer? = nil
            guard EVP_PKEY_get_bn_param(key, name, &number) == 1, let number else {
                throw OpenSSLErrorQueue.error(.invalidKey, "EC key has no \(name) coordinate")
            }
            defer { BN_free(number) }
            var bytes = [UInt8](repeating: 0, count: 32)
            guard BN_bn2binpad(number, &bytes, 32) == 32 else { throw CryptoError(.invalidKey, "EC coordinate longer than 32 bytes") }
            return bytes
        }
        return (try coordinate(OSSL_PKEY_PARAM_EC_PUB_X), try coordinate(OSSL_PKEY_PARAM_EC_PUB_Y))
    }
}
