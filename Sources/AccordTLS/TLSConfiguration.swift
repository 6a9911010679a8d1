public import AccordCrypto
public import NIOCore

/// How one side of a TLS connection is set up: its certificate and key, whom it trusts,
/// which protocol versions it speaks. Servers require and verify a client certificate,
/// unless told that one is optional (the console with local accounts).
public struct TLSConfiguration: Sendable {
    /// The lowest protocol version accepted.
    public enum MinimumVersion: String, Sendable {
        /// TLS 1.3 only: the default.
        case tls13 = "1.3"
        /// TLS 1.2 and 1.3, for overseas partners whose systems lack TLS 1.3, with ECDHE and AEAD suites only.
        case tls12 = "1.2"
    }

    public enum Role: Sendable {
        case server
        /// A client that checks the server's certificate against `serverName`: a DNS name
        /// (also sent as SNI) or an IP literal, matched against the certificate's subject
        /// alternative names of that kind.
        case client(serverName: String)
    }

    /// Whether a server insists on a client certificate.
    public enum ClientCertificates: Sendable {
        /// The handshake fails without a valid certificate: the agency API, and the console
        /// when only certificates sign operators in.
        case required
        /// A certificate that is sent is verified just as strictly, but a client may send
        /// none; the application must then authenticate it some other way.
        case optional
    }

    public var role: Role
    /// Leaf first, then any intermediates to send. A client may leave it empty to send no
    /// certificate (`privateKey` is then unused); Accord servers refuse such a client, so
    /// this is for tests and probes.
    public var certificateChain: [Certificate]
    public var privateKey: PrivateKey
    public var trustStore: TrustStore
    public var minimumVersion: MinimumVersion
    /// ALPN protocols, most preferred first. A server refuses a client that offers ALPN but none of these.
    public var applicationProtocols: [String]
    public var handshakeTimeout: TimeAmount
    /// Servers only.
    public var clientCertificates: ClientCertificates

    public init(
        role: Role, certificateChain: [Certificate], privateKey: PrivateKey, trustStore: TrustStore,
        minimumVersion: MinimumVersion = .tls13, applicationProtocols: [String] = ["http/1.1"],
        handshakeTimeout: TimeAmount = .seconds(10), clientCertificates: ClientCertificates = .required
    ) {
        self.role = role
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustStore = trustStore
        self.minimumVersion = minimumVersion
        self.applicationProtocols = applicationProtocols
        self.handshakeTimeout = handshakeTimeout
        self.clientCertificates = clientCertificates
    }
}
