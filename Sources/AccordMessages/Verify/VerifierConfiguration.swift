public import AccordCore
public import Foundation

/// Limits and expectations of the SD-JWT verifier. The defaults are Accord's; the size and
/// count limits bound the work a hostile sender can cause before any signature is checked.
public struct VerifierConfiguration: Sendable, Equatable {
    /// Most disclosures one SD-JWT may carry.
    public var maxDisclosures = 512
    /// Deepest nesting of objects and arrays, counted through disclosures, the payload being 1.
    public var maxDepth = 16
    /// Largest accepted serialization, in bytes.
    public var maxBytes = 1 << 20
    /// Tolerated difference between the sender's clock and ours for `iat`, `nbf` and `exp`.
    public var clockSkew: TimeInterval = 60
    /// Required `typ` header of the issuer JWT (compared without case; `application/` may precede it).
    public var expectedType = "accord+sd-jwt"

    public init() {}

    public static let `default` = VerifierConfiguration()
}

/// What a verifier requires of the key-binding JWT (RFC 9901 section 7.3).
public struct KeyBindingExpectation: Sendable, Equatable {
    /// The recipient's own identifier, which must equal `aud`.
    public var audience: String
    /// The nonce the recipient expects: for Accord, the delivery id.
    public var nonce: String
    /// Oldest acceptable `iat`, as an age.
    public var maxAge: TimeInterval

    public init(audience: String, nonce: String, maxAge: TimeInterval = 300) {
        self.audience = audience
        self.nonce = nonce
        self.maxAge = maxAge
    }

    /// What an Accord recipient expects: `aud` its agency id, `nonce` the delivery id.
    public init(audience: AgencyID, nonce: DeliveryID, maxAge: TimeInterval = 300) {
        self.init(audience: audience.rawValue, nonce: nonce.rawValue, maxAge: maxAge)
    }
}
