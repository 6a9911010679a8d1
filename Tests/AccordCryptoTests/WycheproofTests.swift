import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Walks the Wycheproof signature vectors (C2SP/wycheproof, in Tests/Vectors): every
/// `valid` signature must verify and every `invalid` one must be refused.
@Suite struct WycheproofTests {
    struct Counts: CustomStringConvertible {
        var valid = 0, invalid = 0, acceptable = 0, mismatches: [String] = []
        var description: String {
            "valid accepted: \(valid), invalid rejected: \(invalid), acceptable (either way): \(acceptable), mismatches: \(mismatches.count)"
        }
    }

    func walk(_ file: String, keyFrom: ([String: Any]) throws -> PublicKey) throws -> Counts {
        let url = PackageRoot.vectors.appendingPathComponent("wycheproof/\(file)")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        var counts = Counts()
        for group in root["testGroups"] as! [[String: Any]] {
            let key = try keyFrom(group)
            let verifier = try JWSVerifier(key: key)
            for test in group["tests"] as! [[String: Any]] {
                let id = test["tcId"] as! Int
                let message = Hex.decode(test["msg"] as! String)!
                let signature = Hex.decode(test["sig"] as! String)!
                let accepted = (try? verifier.verify(signature: signature, for: message)) != nil
                switch test["result"] as! String {
                case "valid":
                    if accepted { counts.valid += 1 } else { counts.mismatches.append("tcId \(id) valid but refused") }
                case "invalid":
                    if !accepted { counts.invalid += 1 } else { counts.mismatches.append("tcId \(id) invalid but accepted") }
                default:
                    counts.acceptable += 1
                }
            }
        }
        return counts
    }

    @Test func ed25519Vectors() throws {
        let counts = try walk("ed25519_test.json") { group in
            try PublicKey(jwk: JWK(kty: "OKP", crv: "Ed25519", x: (group["publicKeyJwk"] as! [String: Any])["x"] as! String))
        }
        print("Wycheproof Ed25519: \(counts)")
        #expect(counts.mismatches.isEmpty, "\(counts.mismatches)")
        #expect(counts.valid > 0 && counts.invalid > 0)
    }

    @Test func ecdsaP256P1363Vectors() throws {
        let counts = try walk("ecdsa_secp256r1_sha256_p1363_test.json") { group in
            try PublicKey(spkiDER: Hex.decode(group["publicKeyDer"] as! String)!)
        }
        print("Wycheproof ECDSA P-256 (P1363): \(counts)")
        #expect(counts.mismatches.isEmpty, "\(counts.mismatches)")
        #expect(counts.valid > 0 && counts.invalid > 0)
    }

    @Test func ecdsaKeysFromJWKMatchDER() throws {
        let url = PackageRoot.vectors.appendingPathComponent("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        for group in (root["testGroups"] as! [[String: Any]]).prefix(10) {
            guard let jwk = group["publicKeyJwk"] as? [String: Any] else { continue }
            let fromJWK = try PublicKey(jwk: JWK(kty: "EC", crv: "P-256", x: jwk["x"] as! String, y: jwk["y"] as? String))
            let fromDER = try PublicKey(spkiDER: Hex.decode(group["publicKeyDer"] as! String)!)
            #expect(fromJWK == fromDER)
            #expect(fromDER.jwk.x == jwk["x"] as? String && fromDER.jwk.y == jwk["y"] as? String)
        }
    }
}
