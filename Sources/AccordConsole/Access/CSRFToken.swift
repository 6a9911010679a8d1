import AccordCore
import AccordCrypto

/// The token every state-changing form carries: HMAC-SHA-256 of the operator identity (and,
/// for a local account, its session) under a server secret. Another site cannot read it
/// (same-origin policy), so a forged cross-site POST, which the browser would send with the
/// operator's client certificate or session cookie, lacks it.
struct CSRFToken: Sendable {
    let secret: [UInt8]

    func token(for person: ConsoleOperator) -> String {
        mac("accord-console-csrf-v1\u{0}\(person.actor)\u{0}\(person.session ?? "certificate")")
    }

    func isValid(_ candidate: String?, for person: ConsoleOperator) -> Bool {
        equal(candidate, token(for: person))
    }

    /// The sign-in form's token, bound to a random value in a short-lived cookie: a page on
    /// another site cannot sign a browser in to an account of the attacker's choosing.
    func signInToken(nonce: String) -> String {
        mac("accord-console-signin-v1\u{0}\(nonce)")
    }

    func isValidSignIn(_ candidate: String?, nonce: String?) -> Bool {
        guard let nonce, nonce.utf8.count >= 20 else { return false }
        return equal(candidate, signInToken(nonce: nonce))
    }

    private func mac(_ text: String) -> String {
        Hex.encode(HMACSHA256.authenticationCode(key: secret, message: Array(text.utf8)))
    }

    private func equal(_ candidate: String?, _ expected: String) -> Bool {
        guard let candidate else { return false }
        return ConstantTime.equals(Array(candidate.utf8), Array(expected.utf8))
    }
}
