/// Why a certificate was not accepted: a stable code for machines and audit records, and a
/// message for people naming the certificate and what to do.
public struct CertificateRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable reason codes. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case unknownIssuer = "unknown-issuer"
        case expired = "expired"
        case notYetValid = "not-yet-valid"
        case revoked = "revoked"
        case wrongPurpose = "wrong-purpose"
        case missingAgencyIdentity = "missing-agency-identity"
        case badSignature = "bad-signature"
        case crlExpired = "crl-expired"
        case invalidChain = "invalid-chain"
        /// The chain is valid, but its CA is not the one the registry names for the identity.
        case wrongIssuer = "wrong-issuer"
        /// The certificate names an agency the registry does not have.
        case unregisteredIdentity = "unregistered-identity"
    }

    public let code: Code
    public let message: String
    /// OpenSSL's X509_V_ERR number, when OpenSSL reported the failure.
    public let openSSLCode: Int32?

    public init(_ code: Code, _ message: String, openSSLCode: Int32? = nil) {
        self.code = code
        self.message = message
        self.openSSLCode = openSSLCode
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
