public import AccordCrypto

/// The one error type of AccordTLS: a stable code, a message naming what failed, and the
/// OpenSSL error queue or certificate verification result behind it.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable reason codes. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable {
        case configuration = "tls-configuration"
        case handshakeFailed = "tls-handshake-failed"
        case handshakeTimeout = "tls-handshake-timeout"
        case peerCertificateRejected = "tls-peer-certificate-rejected"
        case noApplicationProtocol = "tls-no-application-protocol"
        case protocolError = "tls-protocol-error"
        case uncleanShutdown = "tls-unclean-shutdown"
        /// The peer sent a fatal alert: it refused our certificate, or something else in the handshake.
        case refusedByPeer = "tls-refused-by-peer"
        /// The server was at its connection cap and closed the connection before any handshake.
        case connectionCapReached = "tls-connection-cap-reached"
        /// The peer's address already held its most connections not yet authenticated.
        case sourceLimitReached = "tls-source-limit-reached"
        /// The peer closed its side before the handshake finished: a TCP port probe (load
        /// balancers, Kubernetes), or a client that gave up. Nothing more can arrive.
        case closedBeforeHandshake = "tls-closed-before-handshake"
    }

    public let code: Code
    public let message: String
    /// Why the peer's certificate was refused, when it was (`peerCertificateRejected`).
    public let certificateRejection: CertificateRejection?
    /// The SHA-256 fingerprint of the refused certificate, when there was one.
    public let certificateFingerprint: String?

    public init(_ code: Code, _ message: String, certificateRejection: CertificateRejection? = nil, certificateFingerprint: String? = nil) {
        self.code = code
        self.message = message
        self.certificateRejection = certificateRejection
        self.certificateFingerprint = certificateFingerprint
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
