import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// JWS both ways with joserfc (Python, over pyca/cryptography), an independent implementation.
@Suite(.needsPython) struct JWSInteropTests {
    struct Case: Codable { var alg: String; var jwk: JWK; var token: String; var payload: String }
    struct Cases: Codable { var cases: [Case] }
    struct Results: Codable { var results: [Bool] }

    @Test func accordVerifiesTokensSignedByPython() async throws {
        let output = try await ExternalProcess.python("jws_interop.py", ["sign"])
        #expect(output.status == 0, "\(output.standardError)")
        let cases = try JSONDecoder().decode(Cases.self, from: Data(output.standardOutput.utf8)).cases
        #expect(cases.count == 10)
        for item in cases {
            let key = try PublicKey(jwk: item.jwk)
            #expect(key.algorithm.jwsName == item.alg)
            let jws = try CompactJWS(parsing: item.token)
            try jws.verify(with: JWSVerifier(key: key))
            #expect(String(decoding: jws.payload, as: UTF8.self) == item.payload)
        }
    }

    @Test func pythonVerifiesTokensSignedByAccordAndRefusesTampering() async throws {
        var cases: [Case] = []
        for algorithm in KeyAlgorithm.allCases {
            let key = try PrivateKey.generate(algorithm)
            let signer = try JWSSigner(key: key)
            for index in 0..<5 {
                let payload = #"{"iss":"nz.immigration","n":\#(index)}"#
                let token = try CompactJWS.sign(header: Array(#"{"alg":"\#(algorithm.jwsName)"}"#.utf8), payload: Array(payload.utf8), signer: signer)
                cases.append(Case(alg: algorithm.jwsName, jwk: key.publicKey.jwk, token: token, payload: payload))
            }
        }
        var tampered = cases
        for index in tampered.indices {
            var signature = try Base64URL.decode(tampered[index].token.split(separator: ".")[2])
            signature[index % 64] ^= 0x01
            let parts = tampered[index].token.split(separator: ".")
            tampered[index].token = "\(parts[0]).\(parts[1]).\(Base64URL.encode(signature))"
        }
        let input = String(decoding: try JSONEncoder().encode(Cases(cases: cases + tampered)), as: UTF8.self)
        let output = try await ExternalProcess.python("jws_interop.py", ["verify"], input: input)
        #expect(output.status == 0, "\(output.standardError)")
        let results = try JSONDecoder().decode(Results.self, from: Data(output.standardOutput.utf8)).results
        #expect(results.count == cases.count * 2)
        #expect(results.prefix(cases.count).allSatisfy { $0 }, "Python refused a token Accord signed")
        #expect(results.suffix(cases.count).allSatisfy { !$0 }, "Python accepted a tampered token")
    }
}
