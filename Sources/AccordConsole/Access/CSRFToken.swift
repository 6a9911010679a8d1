import AccordCrypto

/// The token every state-changing form carries: HMAC-SHA-256 of the operator identity under a
/// server secret. Another site cannot read it (same-origin policy), so a forged cross-site
/// POST, which the browser would send with the operator's client certificate, lacks it.
struct CSRFToken {
    let secret: [UInt8]

    func token(for actor: String) -> String {
        Hex.encode(HMACSHA256.authenticationCode(key: secret, message: Array("accord-console-csrf-v1\u{0}\(actor)".utf8)))
    }

    func isValid(_ candidate: String?, for actor: String) -> Bool {
        guard let candidate else { return false }
        return ConstantTime.equals(Array(candidate.utf8), Array(token(for: actor).utf8))
    }
}
