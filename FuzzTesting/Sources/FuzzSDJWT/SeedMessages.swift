import AccordCore
import AccordCrypto
import AccordMessages
import Foundation

/// The seed SD-JWTs: a referral as an agency submits it (selectively disclosable claims with
/// decoys, `cnf` naming the holder), and the same message redacted and key-bound as a
/// recipient pulls it. Written by `FuzzTesting/make-seeds`; the fuzz run only reads them.
enum SeedMessages {
    static let issuer = "fuzz-agency"
    static let kid = "fuzz-1"
    static let audience = "fuzz-recipient"
    static let nonce = "fuzz-nonce"
    static let now = Date(timeIntervalSince1970: 1_760_000_000)

    static var message: [String: JSONValue] {
        [
            "iss": .string(issuer),
            "jti": "msg-0001",
            "iat": .integer(Int(now.timeIntervalSince1970) - 10),
            "exp": .integer(Int(now.timeIntervalSince1970) + 3600),
            "accord": [
                "type": "referral", "to": ["fuzz-recipient"], "purpose": "investigation",
                "classification": "in-confidence", "case_ref": "OP-2025-117",
            ],
            "subject": [
                "name": "Sione Tupou", "date_of_birth": "1994-03-02",
                "addresses": [["city": "Auckland", "street": "12 Queen St"]],
            ],
            "indicators": ["debt bondage", "passport withheld"],
            "risk": ["score": .number("0.75"), "flags": [.bool(true), .null]],
        ]
    }

    static func write(to folder: String, issuer issuerKey: PrivateKey, holder holderKey: PrivateKey) {
        do {
            var options = SDJWTIssuer.Options()
            options.decoysPerObject = 1
            let issued = try SDJWTIssuer(signingKey: issuerKey, kid: kid, options: options)
                .issue(message, holderKey: holderKey.publicKey)
            let verifier = SDJWTVerifier(resolver: StaticIssuerKeyResolver([issuer: [kid: issuerKey.publicKey]]))
            let verified = try verifier.verify(issued, now: now)
            let redacted = verified.redact(permitting: ["subject", "subject.name", "indicators"])
            let decision = GatewayDecision(agreementID: "fuzz-agreement", agreementDigest: String(repeating: "0", count: 64),
                                           auditLeafIndex: 7, withheldPaths: redacted.withheldPaths)
            let bound = try KeyBinder(gatewayKey: holderKey).present(redacted, of: verified, audience: audience, nonce: nonce,
                                                                     decision: decision, issuedAt: now)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try issued.write(toFile: folder + "/issued.sd-jwt", atomically: true, encoding: .utf8)
            try redacted.serialization.write(toFile: folder + "/redacted.sd-jwt", atomically: true, encoding: .utf8)
            try bound.write(toFile: folder + "/key-bound.sd-jwt", atomically: true, encoding: .utf8)
        } catch {
            fatalError("cannot write the seed SD-JWTs: \(error)")
        }
    }
}
