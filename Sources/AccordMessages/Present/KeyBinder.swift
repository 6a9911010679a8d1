import AccordCore
public import Foundation
public import AccordCrypto

/// Appends the gateway's key-binding JWT to a redacted SD-JWT (RFC 9901 section 4.3): header
/// `typ` `kb+jwt`, claims `iat`, `aud` (the recipient agency), `nonce` (the delivery id),
/// `sd_hash`, and Accord's decision record under `accord`. Holds a reusable signing context,
/// so it is not thread-safe: one per owner.
public final class KeyBinder {
    public let gatewayKey: PublicKey
    private let gatewayJWK: JWK
    private let signer: JWSSigner
    private let header: [UInt8]

    public init(gatewayKey: PrivateKey) throws(MessageError) {
        self.gatewayKey = gatewayKey.publicKey
        gatewayJWK = self.gatewayKey.jwk
        do { signer = try JWSSigner(key: gatewayKey) } catch {
            throw MessageError(.cryptoFailure, "cannot create a signing context for the gateway key (\(error.code.rawValue))")
        }
        header = try StrictJSON.encode(["alg": .string(gatewayKey.algorithm.jwsName), "typ": "kb+jwt"], part: "KB-JWT header")
    }

    /// Binds `redacted`, which must come from `message`, whose `cnf` must name the gateway's key.
    public func present(
        _ redacted: RedactedSDJWT, of message: VerifiedMessage, audience: String, nonce: String,
        decision: GatewayDecision, issuedAt: Date
    ) throws(MessageError) -> String {
        guard let holderKey = message.holderKey else {
            throw MessageError(.holderKeyMissing, "the message has no 'cnf.jwk', so the gateway cannot bind it")
        }
        guard holderKey.kty == gatewayJWK.kty, holderKey.crv == gatewayJWK.crv, holderKey.x == gatewayJWK.x, holderKey.y == gatewayJWK.y else {
            throw MessageError(.holderKeyMismatch, "the message's 'cnf.jwk' does not name this gateway's key")
        }
        guard redacted.serialization.hasPrefix(message.issuerJWT + "~") else {
            throw MessageError(.invalidInput, "the redacted SD-JWT does not come from this message")
        }
        return try bind(redacted.serialization, audience: audience, nonce: nonce, decision: decision, issuedAt: issuedAt)
    }

    /// Appends a KB-JWT to a redacted serialization kept since acceptance, when the message was
    /// verified and its `cnf` checked against this key (so the gateway binds at delivery time,
    /// with a fresh `iat` and the delivery's own audit leaf).
    public func bind(
        _ serialization: String, audience: String, nonce: String, decision: GatewayDecision, issuedAt: Date
    ) throws(MessageError) -> String {
        guard serialization.hasSuffix("~"), !serialization.hasPrefix("~") else {
            throw MessageError(.invalidInput, "a redacted SD-JWT ends in '~' and carries no key binding yet")
        }
        let payload: JSONValue = .object([
            "iat": .numericDate(issuedAt),
            "aud": .string(audience),
            "nonce": .string(nonce),
            "sd_hash": .string(Base64URL.encode(SHA256.hash(Array(serialization.utf8)))),
            "accord": decision.json,
        ])
        let payloadBytes = try StrictJSON.encode(payload, part: "KB-JWT payload")
        do {
            return serialization + (try CompactJWS.sign(header: header, payload: payloadBytes, signer: signer))
        } catch {
            throw MessageError(.cryptoFailure, "signing the key-binding JWT failed (\(error.code.rawValue))")
        }
    }
}
