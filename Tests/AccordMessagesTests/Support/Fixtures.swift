import AccordCore
import AccordCrypto
import AccordMessages
import Foundation

/// Keys, a sample message and hand-built SD-JWTs shared by the tests.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_760_000_000)
    static let issuerID = "nz-police"
    static let kid = "police-signing-2025"

    static let es256Issuer = try! PrivateKey.generate(.es256)
    static let edIssuer = try! PrivateKey.generate(.edDSA)
    static let gatewayKey = try! PrivateKey.generate(.es256)
    static let edGatewayKey = try! PrivateKey.generate(.edDSA)

    static func resolver(_ key: PrivateKey = es256Issuer) -> StaticIssuerKeyResolver {
        StaticIssuerKeyResolver([issuerID: [kid: key.publicKey]])
    }

    static func verifier(_ key: PrivateKey = es256Issuer, configure: (inout VerifierConfiguration) -> Void = { _ in }) -> SDJWTVerifier {
        var configuration = VerifierConfiguration()
        configure(&configuration)
        return SDJWTVerifier(resolver: resolver(key), configuration: configuration)
    }

    static var routing: [String: JSONValue] {
        [
            "iss": .string(issuerID),
            "jti": "msg-0001",
            "iat": .integer(Int(now.timeIntervalSince1970) - 10),
            "exp": .integer(Int(now.timeIntervalSince1970) + 3600),
            "accord": [
                "type": "referral",
                "to": ["immigration-nz", "labour-inspectorate"],
                "purpose": "investigation",
                "classification": "in-confidence",
                "case_ref": "OP-2025-117",
            ],
        ]
    }

    /// A referral with nested objects and arrays (about 1 KB issued).
    static var message: [String: JSONValue] {
        var message = routing
        message["subject"] = [
            "name": "Sione Tupou",
            "passport_number": "FJ1234567",
            "date_of_birth": "1994-03-02",
            "addresses": [["city": "Auckland", "street": "12 Queen St"]],
        ]
        message["indicators"] = ["debt bondage", "passport withheld"]
        message["employer"] = ["name": "Southern Orchards Ltd"]
        return message
    }

    static func issue(
        _ message: [String: JSONValue] = message, key: PrivateKey = es256Issuer, holder: PrivateKey = gatewayKey,
        options: SDJWTIssuer.Options = SDJWTIssuer.Options()
    ) throws -> String {
        try SDJWTIssuer(signingKey: key, kid: kid, options: options).issue(message, holderKey: holder.publicKey)
    }

    /// An encoded disclosure built by hand, for SD-JWTs the issuer would never make.
    static func disclosure(_ elements: [JSONValue]) -> String {
        guard let bytes = try? CanonicalJSON.encode(.array(elements)) else {
            preconditionFailure("a fixture disclosure holds a number with no canonical form")
        }
        return Base64URL.encode(bytes)
    }

    static func digest(_ disclosure: String) -> String {
        Base64URL.encode(SHA256.hash(Array(disclosure.utf8)))
    }

    /// Signs any payload as an issuer JWT, with the given header (default: a valid Accord one).
    static func sign(
        payload: [String: JSONValue], header: [String: JSONValue]? = nil, key: PrivateKey = es256Issuer
    ) throws -> String {
        let header = header ?? ["alg": .string(key.algorithm.jwsName), "typ": "accord+sd-jwt", "kid": .string(kid)]
        return try CompactJWS.sign(
            header: CanonicalJSON.encode(.object(header)), payload: CanonicalJSON.encode(.object(payload)),
            signer: JWSSigner(key: key))
    }

    /// Signs a raw payload text, so tests can carry what `JSONValue` cannot (duplicate keys).
    static func sign(rawPayload: String, key: PrivateKey = es256Issuer) throws -> String {
        let header: JSONValue = ["alg": .string(key.algorithm.jwsName), "typ": "accord+sd-jwt", "kid": .string(kid)]
        return try CompactJWS.sign(header: CanonicalJSON.encode(header), payload: Array(rawPayload.utf8), signer: JWSSigner(key: key))
    }

    /// Routing claims plus `cnf` for the gateway, the base of hand-built payloads.
    static var basePayload: [String: JSONValue] {
        var payload = routing
        payload["_sd_alg"] = "sha-256"
        let jwk = gatewayKey.publicKey.jwk
        payload["cnf"] = ["jwk": ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x), "y": .string(jwk.y ?? "")]]
        return payload
    }

    /// nil when `body` throws a `MessageError` with `code`; otherwise what happened instead.
    static func expectCode(_ code: MessageError.Code, _ body: () throws -> Void) -> String? {
        do {
            try body()
            return "no error; expected \(code.rawValue)"
        } catch let error as MessageError {
            return error.code == code ? nil : "expected \(code.rawValue), got: \(error)"
        } catch {
            return "unexpected error \(error)"
        }
    }
}
