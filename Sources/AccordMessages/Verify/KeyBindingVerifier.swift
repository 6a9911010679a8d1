import AccordCore
import Foundation
import AccordCrypto

/// Checks a key-binding JWT (RFC 9901 section 7.3): signed by the `cnf` key with an accepted
/// algorithm, `typ` `kb+jwt`, fresh `iat`, the expected `aud` and `nonce`, and `sd_hash` over
/// exactly the SD-JWT it was appended to.
enum KeyBindingVerifier {
    static let name = "key-binding JWT"

    static func verify(
        _ text: UnsafeBufferPointer<UInt8>, presentedSDJWT: [UInt8], holder: VerifierPool.Entry, expectation: KeyBindingExpectation,
        now: Date, clockSkew: TimeInterval
    ) throws(MessageError) -> KeyBindingClaims {
        let jws: DecodedJWS
        var scratch = JSONParser.Scratch()
        do { jws = try DecodedJWS(text, name: name, maxDepth: 8, scratch: &scratch) } catch {
            throw error.code == .invalidBase64URL || error.code == .malformedSerialization ? MessageError(.keyBindingInvalid, error.message) : error
        }
        let algorithm = try jws.algorithm(name: name)
        try jws.refuseCritical(name: name)
        guard DecodedJWS.typeMatches(jws.header["typ"], "kb+jwt") else {
            throw MessageError(.keyBindingInvalid, "\(name) header 'typ' is not 'kb+jwt'")
        }
        let holderKey = holder.key
        guard algorithm == holderKey.algorithm else {
            throw MessageError(.keyBindingSignatureInvalid, "\(name) 'alg' \(algorithm.jwsName) does not match the holder's \(holderKey.algorithm.jwsName) key")
        }
        try jws.verifySignature(with: holder.verifier, name: name, code: .keyBindingSignatureInvalid)

        let payload = jws.payload
        guard let iat = payload["iat"]?.doubleValue, iat.isFinite else {
            throw MessageError(.keyBindingInvalid, "\(name) has no numeric 'iat'")
        }
        let issued = Date(timeIntervalSince1970: iat)
        guard issued <= now.addingTimeInterval(clockSkew), issued >= now.addingTimeInterval(-expectation.maxAge - clockSkew) else {
            throw MessageError(.keyBindingNotFresh, "\(name) 'iat' is outside the accepted window of \(expectation.maxAge) s")
        }
        guard case .string(let audience)? = payload["aud"], audience == expectation.audience else {
            throw MessageError(.keyBindingAudienceMismatch, "\(name) 'aud' is not the expected audience")
        }
        guard case .string(let nonce)? = payload["nonce"], nonce == expectation.nonce else {
            throw MessageError(.keyBindingNonceMismatch, "\(name) 'nonce' is not the expected nonce")
        }
        guard case .string(let sdHash)? = payload["sd_hash"] else {
            throw MessageError(.keyBindingInvalid, "\(name) has no 'sd_hash'")
        }
        let expected = Base64URL.encode(SHA256.hash(presentedSDJWT))
        guard ConstantTime.equals(Array(sdHash.utf8), Array(expected.utf8)) else {
            throw MessageError(.keyBindingHashMismatch, "\(name) 'sd_hash' does not match the presented SD-JWT")
        }
        if let exp = payload["exp"] {
            guard let seconds = exp.doubleValue, now < Date(timeIntervalSince1970: seconds).addingTimeInterval(clockSkew) else {
                throw MessageError(.keyBindingNotFresh, "\(name) has expired")
            }
        }
        let decision = try payload["accord"].map { value throws(MessageError) in try GatewayDecision(json: value) }
        return KeyBindingClaims(audience: audience, nonce: nonce, issuedAt: Int(iat), sdHash: sdHash, decision: decision)
    }
}
