import AccordCore
import AccordCrypto
import Foundation
import Testing

@Suite struct SignatureTests {
    @Test(arguments: KeyAlgorithm.allCases)
    func signAndVerifyRoundTrip(algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let message = Array("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJuei5wb2xpY2UifQ".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        try key.publicKey.verify(signature: signature, for: message)

        var tampered = message
        tampered[5] ^= 0x01
        #expect(throws: CryptoError.self) { try key.publicKey.verify(signature: signature, for: tampered) }
        var badSignature = signature
        badSignature[10] ^= 0x80
        let error = #expect(throws: CryptoError.self) { try key.publicKey.verify(signature: badSignature, for: message) }
        #expect(error?.code == .signatureInvalid || error?.code == .invalidSignatureEncoding)
    }

    @Test(arguments: KeyAlgorithm.allCases)
    func reusedContextsStayCorrect(algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let signer = try JWSSigner(key: key)
        let verifier = try JWSVerifier(key: key.publicKey)
        for index in 0..<200 {
            let message = Array("message number \(index)".utf8)
            let signature = try signer.sign(message)
            try verifier.verify(signature: signature, for: message)
            #expect(throws: CryptoError.self) { try verifier.verify(signature: signature, for: Array("other \(index)".utf8)) }
        }
    }

    @Test func es256MalformedSignaturesRefusedBeforeOpenSSL() throws {
        let key = try PrivateKey.generate(.es256).publicKey
        let message = Array("x".utf8)
        let order = Hex.decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")!
        let one = [UInt8](repeating: 0, count: 31) + [1]
        let zero = [UInt8](repeating: 0, count: 32)
        let cases: [(String, [UInt8])] = [
            ("short", [UInt8](repeating: 1, count: 63)),
            ("long", [UInt8](repeating: 1, count: 65)),
            ("DER instead of r||s", [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01]),
            ("r = 0", zero + one),
            ("s = 0", one + zero),
            ("r = n", order + one),
            ("s = n", one + order),
            ("s > n", one + [UInt8](repeating: 0xFF, count: 32)),
        ]
        for (name, signature) in cases {
            let error = #expect(throws: CryptoError.self, "\(name)") { try key.verify(signature: signature, for: message) }
            #expect(error?.code == .invalidSignatureEncoding, "\(name)")
        }
    }

    @Test func edDSAWrongLengthRefused() throws {
        let key = try PrivateKey.generate(.edDSA).publicKey
        let error = #expect(throws: CryptoError.self) { try key.verify(signature: [UInt8](repeating: 0, count: 63), for: [1]) }
        #expect(error?.code == .invalidSignatureEncoding)
    }

    @Test func keyOfOneAlgorithmDoesNotVerifyAnother() throws {
        let ec = try PrivateKey.generate(.es256)
        let other = try PrivateKey.generate(.es256)
        let signature = try ec.sign([1, 2, 3])
        #expect(throws: CryptoError.self) { try other.publicKey.verify(signature: signature, for: [1, 2, 3]) }
    }

    @Test(arguments: KeyAlgorithm.allCases)
    func compactJWSRoundTrip(algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let header = Array(#"{"alg":"\#(algorithm.jwsName)"}"#.utf8)
        let token = try CompactJWS.sign(header: header, payload: Array(#"{"iss":"nz.customs"}"#.utf8), signer: JWSSigner(key: key))
        let parsed = try CompactJWS(parsing: token)
        #expect(parsed.header == header)
        try parsed.verify(with: JWSVerifier(key: key.publicKey))
        let error = #expect(throws: CryptoError.self) { try CompactJWS(parsing: token + ".extra") }
        #expect(error?.message.contains("3 dot-separated parts") == true)
    }
}
