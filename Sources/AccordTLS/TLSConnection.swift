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
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            _ = accord_SSL_set_tlsext_host_name(ssl, serverName)
            guard SSL_set1_host(ssl, serverName) == 1 else { throw TLSContext.failure("cannot set the expected server name") }
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
        let detail = OpenSSLErrorQueue.drain().joined(separator: "; ")
        if verification != X509_V_OK {
            let reason = verification == X509_V_ERR_APPLICATION_VERIFICATION
                ? "the certificate must carry exactly one subject alternative name URI urn:accord:agency:<id> (or urn:accord:operator:<role>:<name>)"
                : String(cString: X509_verify_cert_error_string(verification))
            return TLSError(.peerCertificateRejected, "peer certificate refused: \(reason)")
        }
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
        default: return .failed(TLSError(.protocolError, "TLS read failed: \(OpenSSLErrorQueue.drain().joined(separator: "; "))"))
        }
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
