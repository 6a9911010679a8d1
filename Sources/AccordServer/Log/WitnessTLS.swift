import AccordCrypto
public import AccordTLS

/// TLS between a gateway and its witnesses (docs/audit.md, "Witnesses over TLS"): the witness
/// serves a certificate from its operator's PKI, and the gateway trusts only the CA pinned for
/// that witness in `log.witnesses`, not the system's roots. Neither side sends a client
/// certificate: a cosignature is checked with the witness's key, and a witness checks every
/// checkpoint with the log's key, so what TLS adds is that nobody between them can read or
/// block the exchange unnoticed by posing as the witness.
public enum WitnessTLS {
    /// The witness's server context from its certificate chain (leaf first) and key.
    public static func serverContext(certificateFile: String, keyFile: String) throws -> TLSContext {
        let chain: [Certificate]
        let key: PrivateKey
        do {
            chain = try Certificate.all(pemFile: certificateFile)
            key = try PrivateKey(pemFile: keyFile)
        } catch {
            throw TLSError(.configuration, "cannot load the witness's TLS certificate \(certificateFile) and key \(keyFile): \(error)")
        }
        guard let leaf = chain.first else { throw TLSError(.configuration, "\(certificateFile) holds no certificate") }
        // Client certificates are optional and none is expected; one that is sent is checked
        // against the witness's own chain, so no outside CA is trusted for anything.
        let anchors = try TrustStore(anchors: [chain.last ?? leaf])
        return try TLSContext(TLSConfiguration(role: .server, certificateChain: chain, privateKey: key, trustStore: anchors,
                                               clientCertificates: .optional))
    }

    /// The gateway's client context for one witness: `caFile`'s certificates are the only
    /// trust anchors, and the witness's certificate must name `serverName` (the URL's host).
    public static func clientContext(caFile: String, serverName: String) throws -> TLSContext {
        let anchors: [Certificate]
        do { anchors = try Certificate.all(pemFile: caFile) } catch {
            throw TLSError(.configuration, "cannot read the witness CA \(caFile): \(error)")
        }
        guard !anchors.isEmpty else { throw TLSError(.configuration, "\(caFile) holds no CA certificate") }
        // No client certificate is sent; the configuration still wants a key, which is never used.
        return try TLSContext(TLSConfiguration(role: .client(serverName: serverName), certificateChain: [],
                                               privateKey: PrivateKey.generate(.edDSA), trustStore: TrustStore(anchors: anchors)))
    }
}
