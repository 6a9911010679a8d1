/// The one error type of AccordMessages: a stable code, and a message naming the offending
/// part of the SD-JWT (header, payload, disclosure index, claim path). Messages never carry
/// claim values, so they may be logged and returned to the sender.
public struct MessageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reason. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        // Size and shape of the serialization.
        case tooLarge = "sd-jwt-too-large"
        case tooManyDisclosures = "too-many-disclosures"
        case nestingTooDeep = "nesting-too-deep"
        case malformedSerialization = "malformed-serialization"
        case invalidBase64URL = "invalid-base64url"
        case invalidJSON = "invalid-json"
        case duplicateJSONKey = "duplicate-json-key"
        // The issuer-signed JWT.
        case unsupportedAlgorithm = "unsupported-algorithm"
        case wrongType = "wrong-typ"
        case missingKeyReference = "missing-key-reference"
        case unsupportedCriticalHeader = "unsupported-crit-header"
        case unsupportedHeaderParameter = "unsupported-header-parameter"
        case issuerKeyUnresolved = "issuer-key-unresolved"
        case signatureInvalid = "signature-invalid"
        case unsupportedDigestAlgorithm = "unsupported-sd-alg"
        case malformedPayload = "malformed-payload"
        case unsupportedCnfMember = "unsupported-cnf-member"
        // Disclosures.
        case malformedDisclosure = "malformed-disclosure"
        case malformedDigest = "malformed-digest"
        case disclosureUnreferenced = "disclosure-unreferenced"
        case digestRepeated = "digest-repeated"
        case disclosureRepeated = "disclosure-repeated"
        case reservedClaimName = "reserved-claim-name"
        case claimNameCollision = "claim-name-collision"
        // Validity and routing.
        case expired = "expired"
        case issuedInFuture = "issued-in-future"
        case notYetValid = "not-yet-valid"
        case invalidRoutingClaims = "invalid-routing-claims"
        // Key binding.
        case keyBindingMissing = "kb-jwt-missing"
        case keyBindingUnexpected = "kb-jwt-unexpected"
        case holderKeyMissing = "holder-key-missing"
        case holderKeyMismatch = "holder-key-mismatch"
        case keyBindingInvalid = "kb-jwt-invalid"
        case keyBindingSignatureInvalid = "kb-jwt-signature-invalid"
        case keyBindingHashMismatch = "kb-sd-hash-mismatch"
        case keyBindingAudienceMismatch = "kb-aud-mismatch"
        case keyBindingNonceMismatch = "kb-nonce-mismatch"
        case keyBindingNotFresh = "kb-iat-out-of-window"
        // Issuing and presenting.
        case invalidInput = "invalid-input"
        case cryptoFailure = "crypto-failure"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
