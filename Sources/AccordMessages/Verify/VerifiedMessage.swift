public import AccordCore
public import AccordCrypto

/// An SD-JWT whose issuer signature, disclosures and validity have been checked: the routing
/// claims, the claim paths present (for the policy engine, which never needs the values),
/// the disclosed claims, and what the gateway needs to redact and re-present it.
public struct VerifiedMessage: Sendable {
    /// The claims in clear: routing, `jti`, `iat`, `exp`.
    public let clear: ClearClaims
    /// The issuer JWT's protected header (`alg`, `typ`, `kid` or `x5c`).
    public let header: [String: JSONValue]
    /// The payload with every presented disclosure applied and `_sd`, `_sd_alg` removed.
    public let claims: [String: JSONValue]
    /// Paths of every claim present outside the clear routing claims, sorted.
    public let paths: [ClaimPath]
    /// Those of `paths` that some instance carries in clear, so redaction cannot withhold
    /// them: a message whose clear content an agreement does not permit must be refused.
    public let clearPaths: [ClaimPath]
    /// Each instance of `clearPaths` with the disclosure enclosing it, so that redaction can
    /// tell which instances a recipient receives.
    let clearClaims: [ClearClaim]
    /// The holder key from `cnf.jwk` (`kty`, `crv`, `x`, `y`): for Accord, the gateway's key.
    public let holderKey: JWK?
    /// The verified key-binding JWT's claims, when one was required and present.
    public let keyBinding: KeyBindingClaims?
    /// The issuer-signed JWT exactly as received.
    public let issuerJWT: String
    let records: [DisclosureRecord]

    init(
        clear: ClearClaims, header: [String: JSONValue], claims: [String: JSONValue], paths: [ClaimPath],
        clearPaths: [ClaimPath], clearClaims: [ClearClaim], holderKey: JWK?, keyBinding: KeyBindingClaims?, issuerJWT: String, records: [DisclosureRecord]
    ) {
        self.clear = clear
        self.header = header
        self.claims = claims
        self.paths = paths
        self.clearPaths = clearPaths
        self.clearClaims = clearClaims
        self.holderKey = holderKey
        self.keyBinding = keyBinding
        self.issuerJWT = issuerJWT
        self.records = records
    }

    public var routing: RoutingClaims { clear.routing }

    /// The message's `jti`, unique per issuer.
    public var jti: String { clear.jti }

    /// The disclosures as presented, in their original order.
    public var disclosures: [Disclosure] { records.map(\.disclosure) }

    /// The paths in their text form, as agreements name them.
    public var pathStrings: [String] { paths.map(\.description) }
}
