import AccordCore
import AccordCrypto
import Foundation
import Testing

@Suite struct KeyEncodingTests {
    @Test(arguments: KeyAlgorithm.allCases)
    func privateKeyPEMRoundTrip(algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let pem = try key.pemPKCS8()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let loaded = try PrivateKey(pem: pem)
        #expect(loaded.algorithm == algorithm)
        #expect(loaded.publicKey == key.publicKey)
        try loaded.publicKey.verify(signature: key.sign([9, 9]), for: [9, 9])
    }

    @Test(arguments: KeyAlgorithm.allCases)
    func publicKeyJWKAndPEMRoundTrip(algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm).publicKey
        let jwk = key.jwk
        #expect(jwk.kty == (algorithm == .es256 ? "EC" : "OKP"))
        #expect(try PublicKey(jwk: jwk) == key)
        #expect(try PublicKey(pem: key.pem()) == key)
        let encoded = try JSONEncoder().encode(jwk)
        #expect(try JSONDecoder().decode(JWK.self, from: encoded) == jwk)
    }

    /// RFC 8037 appendix A.3: the thumbprint of the example Ed25519 key.
    @Test func ed25519ThumbprintMatchesRFC8037() throws {
        let jwk = JWK(kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
        #expect(jwk.thumbprintBase64URL == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    }

    @Test func invalidKeyMaterialIsRefusedWithReasons() throws {
        #expect(throws: CryptoError.self) { try PrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        let short = #expect(throws: CryptoError.self) { try PublicKey(jwk: JWK(kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA")) }
        #expect(short?.code == .invalidJWK)
        let curve = #expect(throws: CryptoError.self) { try PublicKey(jwk: JWK(kty: "EC", crv: "P-384", x: "AAAA", y: "AAAA")) }
        #expect(curve?.code == .unsupportedAlgorithm)
        // A point that is not on the curve: OpenSSL refuses it when parsing.
        let offCurve = JWK(kty: "EC", crv: "P-256", x: Base64URL.encode([UInt8](repeating: 1, count: 32)), y: Base64URL.encode([UInt8](repeating: 2, count: 32)))
        #expect(throws: CryptoError.self) { try PublicKey(jwk: offCurve) }
        let unsupported = #expect(throws: CryptoError.self) { try KeyAlgorithm(jwsName: "HS256") }
        #expect(unsupported?.code == .unsupportedAlgorithm)
    }
}
