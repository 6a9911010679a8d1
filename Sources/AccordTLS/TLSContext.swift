import AccordCrypto
import COpenSSL

/// One OpenSSL `SSL_CTX` built from a `TLSConfiguration`, shared by every connection of a
/// listener or client.
///
/// Servers: TLS 1.3 (1.2 only where configured), a client certificate required (or, where
/// configured, optional, but verified the same way when sent) and verified
/// against the trust store and its CRLs for purpose sslclient, with extended key usage
/// clientAuth, exactly one Accord identity URI and a CA bound to that identity
/// (`PeerVerification`); session tickets and the session cache off, so every connection presents and
/// verifies its certificate afresh; ALPN from the configured list.
///
/// Clients: the same versions; the certificate chain sent when the server asks (every Accord
/// server does); the server's chain verified against the trust store and its CRLs for
/// purpose sslserver, and its name or address checked (see `TLSConfiguration.Role.client`);
/// ALPN offered from the configured list.
// INVARIANT: the SSL_CTX is configured in init and never changed afterwards; OpenSSL allows
// SSL objects to be created from it on any thread.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    public let configuration: TLSConfiguration
    /// ALPN wire format: length-prefixed protocol names.
    let alpnWire: [UInt8]

    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        self.configuration = configuration
        alpnWire = configuration.applicationProtocols.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        let isServer: Bool = if case .server = configuration.role { true } else { false }
        guard let context = SSL_CTX_new(isServer ? TLS_server_method() : TLS_client_method()) else {
            throw Self.failure("SSL_CTX_new failed")
        }
        pointer = context
        let minimum = configuration.minimumVersion == .tls13 ? accord_TLS1_3_VERSION : accord_TLS1_2_VERSION
        guard accord_SSL_CTX_set_min_proto_version(context, minimum) == 1 else { throw Self.failure("cannot set the minimum TLS version") }
        _ = accord_SSL_CTX_set_options(context, accord_SSL_OP_NO_TICKET | accord_SSL_OP_NO_RENEGOTIATION | accord_SSL_OP_NO_COMPRESSION | accord_SSL_OP_CIPHER_SERVER_PREFERENCE)
        if configuration.minimumVersion == .tls12 {
            guard SSL_CTX_set_cipher_list(context, "ECDHE+AESGCM:ECDHE+CHACHA20") == 1 else { throw Self.failure("cannot set TLS 1.2 cipher suites") }
        }

        if let leaf = configuration.certificateChain.first {
            guard SSL_CTX_use_certificate(context, leaf.pointer) == 1 else { throw Self.failure("cannot use certificate \(leaf.subject)") }
            for intermediate in configuration.certificateChain.dropFirst() {
                guard let copy = X509_dup(intermediate.pointer), accord_SSL_CTX_add0_chain_cert(context, copy) == 1 else {
                    throw Self.failure("cannot add chain certificate \(intermediate.subject)")
                }
            }
            guard SSL_CTX_use_PrivateKey(context, configuration.privateKey.handle.pointer) == 1 else { throw Self.failure("cannot use private key") }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw Self.failure("the private key does not match certificate \(leaf.subject)")
            }
        } else if isServer {
            throw TLSError(.configuration, "a TLS certificate chain needs at least the leaf certificate")
        }
        SSL_CTX_set1_cert_store(context, configuration.trustStore.store)

        if isServer {
            let insist = configuration.clientCertificates == .required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | insist, verifyAccordPeer)
            guard SSL_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT) == 1 else { throw Self.failure("cannot set purpose sslclient") }
            let sessionContext = Array("accord".utf8)
            // Without a session id context, a client resuming a session under client verification fails the handshake.
            guard SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count)) == 1 else {
                throw Self.failure("cannot set the session id context")
            }
            _ = accord_SSL_CTX_set_session_cache_mode(context, accord_SSL_SESS_CACHE_OFF)
            _ = SSL_CTX_set_num_tickets(context, 0)
            if !alpnWire.isEmpty {
                SSL_CTX_set_alpn_select_cb(context, selectApplicationProtocol, Unmanaged.passUnretained(self).toOpaque())
            }
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            guard SSL_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER) == 1 else { throw Self.failure("cannot set purpose sslserver") }
            if !alpnWire.isEmpty {
                guard SSL_CTX_set_alpn_protos(context, alpnWire, UInt32(alpnWire.count)) == 0 else { throw Self.failure("cannot set ALPN") }
            }
        }
    }

    deinit { SSL_CTX_free(pointer) }

    /// A server whose client certificates are optional lets a connection without one through.
    var acceptsAnonymousPeers: Bool {
        if case .server = configuration.role, configuration.clientCertificates == .optional { return true }
        return false
    }

    static func failure(_ message: String) -> TLSError {
        TLSError(.configuration, "\(message): \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
    }
}

/// Picks the server's most preferred protocol the client offers; a client offering ALPN but
/// none of ours gets the fatal `no_application_protocol` alert (RFC 7301 section 3.2).
private let selectApplicationProtocol: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UnsafePointer<UInt8>?>?, UnsafeMutablePointer<UInt8>?,
    UnsafePointer<UInt8>?, UInt32, UnsafeMutableRawPointer?
) -> Int32 = { _, out, outLength, offered, offeredLength, argument in
    guard let argument, let out, let outLength, let offered else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let context = Unmanaged<TLSContext>.fromOpaque(argument).takeUnretainedValue()
    let client = Array(UnsafeBufferPointer(start: offered, count: Int(offeredLength)))
    var serverIndex = 0
    let ours = context.alpnWire
    while serverIndex < ours.count {
        let length = Int(ours[serverIndex])
        let candidate = Array(ours[(serverIndex + 1)..<(serverIndex + 1 + length)])
        var clientIndex = 0
        while clientIndex < client.count {
            let clientLength = Int(client[clientIndex])
            guard clientIndex + 1 + clientLength <= client.count else { break }
            if Array(client[(clientIndex + 1)..<(clientIndex + 1 + clientLength)]) == candidate {
                // Point into the client's list, which OpenSSL keeps alive for the callback's caller.
                out.pointee = offered + clientIndex + 1
                outLength.pointee = UInt8(clientLength)
                return SSL_TLSEXT_ERR_OK
            }
            clientIndex += 1 + clientLength
        }
        serverIndex += 1 + length
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL
}
