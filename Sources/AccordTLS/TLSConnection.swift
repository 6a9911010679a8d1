import AccordCrypto
import COpenSSL
import NIOCore

/// One TLS connection driven over memory BIOs: bytes from the network go in with `feed`,
/// bytes for the network come out of `takeOutput`, and OpenSSL never touches a socket.
/// Owned by one `OpenSSLHandler` on one event loop; not thread-safe.
final class TLSConnection {
    enum HandshakeResult {
        case complete
        case needMoreData
        case failed(TLSError)
    }

    enum ReadResult {
        case data(ByteBuffer)
        case needMoreData
        case closeNotify
        case failed(TLSError)
    }

    let ssl: OpaquePointer
    private let networkIn: OpaquePointer
    private let networkOut: OpaquePointer
    let context: TLSContext
    /// Servers only: the client certificate check this connection's handshake runs.
    private let verification: PeerVerification?

    init(context: TLSContext) throws(TLSError) {
        self.context = context
        guard let ssl = SSL_new(context.pointer) else { throw TLSContext.failure("SSL_new failed") }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSContext.failure("BIO_new failed")
        }
        // An empty input BIO means "wait for more", not end of stream.
        _ = accord_BIO_set_mem_eof_return(input, -1)
        SSL_set_bio(ssl, input, output)
        self.ssl = ssl
        networkIn = input
        networkOut = output
        switch context.configuration.role {
        case .server:
            let verification = PeerVerification(trustStore: context.configuration.trustStore)
            verification.attach(to: ssl)
            self.verification = verification
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            verification = nil
            SSL_set_connect_state(ssl)
            try expectServer(named: serverName)
        }
    }

    /// Sets the name the server's certificate must carry: an IP literal is matched against
    /// its IP address names and never sent as SNI (RFC 6066 section 3 allows host names
    /// only); a DNS name is matched against its DNS names, wildcards whole labels only, and
    /// sent as SNI.
    private func expectServer(named serverName: String) throws(TLSError) {
        let name = serverName.hasPrefix("[") && serverName.hasSuffix("]") ? String(serverName.dropFirst().dropLast()) : serverName
        guard !name.isEmpty else {
            throw TLSError(.configuration, "a TLS client needs the server's name or address to check its certificate against")
        }
        guard let parameters = SSL_get0_param(ssl) else { throw TLSContext.failure("SSL_get0_param failed") }
        if let address = a2i_IPADDRESS(name) {
            ASN1_OCTET_STRING_free(address)
            guard X509_VERIFY_PARAM_set1_ip_asc(parameters, name) == 1 else {
                throw TLSContext.failure("cannot set the expected server address \(name)")
            }
        } else {
            guard accord_SSL_set_tlsext_host_name(ssl, name) == 1 else {
                throw TLSContext.failure("cannot send server name \(name) (SNI)")
            }
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard X509_VERIFY_PARAM_set1_host(parameters, name, 0) == 1 else {
                throw TLSContext.failure("cannot set the expected server name \(name)")
            }
        }
    }

    deinit { SSL_free(ssl) }

    func feed(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = BIO_write(networkIn, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                guard written > 0 else { return }
                offset += Int(written)
            }
        }
    }

    /// What OpenSSL has written for the network (handshake records, alerts, application data).
    func takeOutput(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = accord_BIO_ctrl_pending(networkOut)
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { pointer in
            Int(max(0, BIO_read(networkOut, pointer.baseAddress, Int32(pending))))
        }
        return buffer
    }

    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .complete }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { return .needMoreData }
        return .failed(handshakeError())
    }

    private func handshakeError() -> TLSError {
        let verification = SSL_get_verify_result(ssl)
        let (details, alert) = Self.drainErrors()
        let detail = details.joined(separator: "; ")
        if let rejection = self.verification?.rejection {
            return TLSError(.peerCertificateRejected, "peer certificate refused: \(rejection)",
                            certificateRejection: rejection, certificateFingerprint: self.verification?.rejectedFingerprint)
        }
        if verification != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verification))
            return TLSError(.peerCertificateRejected, "peer certificate refused: \(reason)")
        }
        if let alert { return Self.refused(alert: alert) }
        if detail.contains("no application protocol") {
            return TLSError(.noApplicationProtocol, "the peer offered no application protocol this server speaks (\(context.configuration.applicationProtocols.joined(separator: ", ")))")
        }
        if detail.contains("peer did not return a certificate") {
            return TLSError(.peerCertificateRejected, "the client presented no certificate; Accord requires mutual TLS")
        }
        return TLSError(.handshakeFailed, "TLS handshake failed: \(detail)")
    }

    /// Decrypts what has arrived, 16 KiB at a time.
    func read(allocator: ByteBufferAllocator) -> ReadResult {
        var buffer = allocator.buffer(capacity: 16_384)
        var status: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 16_384) { pointer in
            status = SSL_read(ssl, pointer.baseAddress, Int32(pointer.count))
            return Int(max(0, status))
        }
        if status > 0 { return .data(buffer) }
        let error = SSL_get_error(ssl, status)
        switch error {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .needMoreData
        case SSL_ERROR_ZERO_RETURN: return .closeNotify
        default:
            let (details, alert) = Self.drainErrors()
            if let alert { return .failed(Self.refused(alert: alert)) }
            return .failed(TLSError(.protocolError, "TLS read failed: \(details.joined(separator: "; "))"))
        }
    }

    /// A fatal alert from the peer. In TLS 1.3 a server verifies the client's certificate
    /// after the client's side of the handshake has finished, so a client learns that it was
    /// refused from an alert read after the handshake.
    private static func refused(alert: String) -> TLSError {
        TLSError(.refusedByPeer, "the peer ended the connection with TLS alert '\(alert)'")
    }

    /// OpenSSL's error queue as text, and the name of an alert received from the peer if one
    /// is among the errors (OpenSSL reports a received alert as reason SSL_AD_REASON_OFFSET
    /// plus the alert number).
    private static func drainErrors() -> (details: [String], receivedAlert: String?) {
        var details: [String] = []
        var alert: String?
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            let reason = ERR_GET_REASON(code)
            if ERR_GET_LIB(code) == ERR_LIB_SSL, reason > SSL_AD_REASON_OFFSET, reason < SSL_AD_REASON_OFFSET + 256 {
                // The reason text ("tlsv13 alert certificate required") knows TLS 1.3's
                // alerts, which SSL_alert_desc_string_long in OpenSSL 3.0 does not.
                let text = ERR_reason_error_string(code).map { String(cString: $0) } ?? ""
                let words = text.split(separator: " ")
                let name = words.firstIndex(of: "alert").map { words[($0 + 1)...].joined(separator: " ") } ?? ""
                alert = name.isEmpty ? "number \(reason - SSL_AD_REASON_OFFSET)" : name
            }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            details.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return (details, alert)
    }

    /// Encrypts `buffer` into the output BIO; memory BIOs grow, so a write always completes.
    func write(_ buffer: ByteBuffer) throws(TLSError) {
        var failure: TLSError?
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = SSL_write(ssl, bytes.baseAddress! + offset, Int32(bytes.count - offset))
                guard written > 0 else {
                    failure = TLSError(.protocolError, "TLS write failed: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
                    return
                }
                offset += Int(written)
            }
        }
        if let failure { throw failure }
    }

    /// Queues close_notify. Returns true once the peer's close_notify has also been seen.
    @discardableResult
    func shutdown() -> Bool {
        let result = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
        return result == 1
    }

    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    var negotiatedVersion: String { String(cString: SSL_get_version(ssl)) }

    /// The peer's leaf certificate, verified by OpenSSL during the handshake.
    var peerCertificate: Certificate? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        return Certificate(taking: certificate)
    }
}
