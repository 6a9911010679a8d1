public import AccordTLS

/// The one error type of AccordClient: a stable code saying which step failed, a message
/// naming what went wrong (never request or response content), and the TLS error code when
/// the TLS layer is the cause.
public struct AccordClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable reason codes. Raw values never change once shipped.
    public enum Code: String, Sendable, Equatable {
        /// No TCP connection: name resolution, refusal, or the connect timeout.
        case connectFailed = "client-connect-failed"
        /// The TLS handshake failed: see `tlsCode`, e.g. `peerCertificateRejected` when the
        /// server's certificate did not verify or did not match the server name.
        case handshakeFailed = "client-handshake-failed"
        /// TLS failed after the handshake. With TLS 1.3 a server that refuses the client's
        /// certificate says so here, on the first request (`tlsCode == .refusedByPeer`).
        case tlsFailed = "client-tls-failed"
        /// The connection ended (closed by the server, or by `close()`) before a response.
        case connectionClosed = "client-connection-closed"
        /// The server's bytes are not an HTTP/1.1 response.
        case malformedResponse = "client-malformed-response"
        /// The response body exceeds the connection's limit.
        case responseTooLarge = "client-response-too-large"
        /// No complete response within the request timeout; the connection is closed.
        case timeout = "client-timeout"
        /// The request cannot be sent as given (method, path or a header is not valid HTTP).
        case invalidRequest = "client-invalid-request"
    }

    public let code: Code
    public let message: String
    /// The TLS layer's code, when it caused the failure.
    public let tlsCode: TLSError.Code?

    public init(_ code: Code, _ message: String, tlsCode: TLSError.Code? = nil) {
        self.code = code
        self.message = message
        self.tlsCode = tlsCode
    }

    public var description: String {
        guard let tlsCode else { return "\(code.rawValue): \(message)" }
        return "\(code.rawValue) (\(tlsCode.rawValue)): \(message)"
    }
}
