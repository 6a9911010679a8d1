/// What a certificate is being accepted for. Each purpose checks the key usages that fit it,
/// so a TLS certificate cannot sign messages and a signing certificate cannot open a session.
public enum CertificatePurpose: String, Sendable, CaseIterable {
    /// An agency system's TLS client certificate (extended key usage clientAuth).
    case tlsClient = "tls-client"
    /// The gateway's TLS server certificate (extended key usage serverAuth).
    case tlsServer = "tls-server"
    /// An agency's message-signing certificate: key usage digitalSignature, and no extended
    /// key usage that limits it to TLS.
    case signing
}
