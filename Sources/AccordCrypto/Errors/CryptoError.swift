/// The one error type of AccordCrypto: a stable code, a human message naming what failed,
/// and the text of OpenSSL's error queue at the moment of failure.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable, machine-readable reason. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        case invalidKey = "invalid-key"
        case unsupportedAlgorithm = "unsupported-algorithm"
        case invalidPEM = "invalid-pem"
        case invalidDER = "invalid-der"
        case invalidJWK = "invalid-jwk"
        case invalidSignatureEncoding = "invalid-signature-encoding"
        case signatureInvalid = "signature-invalid"
        case signingFailed = "signing-failed"
        case digestFailed = "digest-failed"
        case randomFailed = "random-failed"
        case invalidCertificate = "invalid-certificate"
        case invalidCRL = "invalid-crl"
        case certificateBuildFailed = "certificate-build-failed"
        case trustStoreFailed = "trust-store-failed"
        case invalidBase64URL = "invalid-base64url"
        case ioFailed = "io-failed"
        case internalFailure = "internal-failure"
    }

    public let code: Code
    public let message: String
    /// Lines from OpenSSL's error queue, oldest first; empty when OpenSSL was not involved.
    public let openSSLErrors: [String]

    public init(_ code: Code, _ message: String, openSSLErrors: [String] = []) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        guard !openSSLErrors.isEmpty else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue): \(message) (OpenSSL: \(openSSLErrors.joined(separator: "; ")))"
    }
}
