import COpenSSL

/// A memory BIO owned by Swift, for PEM reading and writing.
final class MemoryBIO {
    let pointer: OpaquePointer

    init() throws(CryptoError) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLErrorQueue.error(.internalFailure, "BIO_new failed") }
        pointer = bio
    }

    init(_ bytes: [UInt8]) throws(CryptoError) {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLErrorQueue.error(.internalFailure, "BIO_new failed") }
        pointer = bio
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        }
    }

    deinit { BIO_free(pointer) }

    func contents() -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = accord_BIO_get_mem_data(pointer, &data)
        guard length > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    func string() -> String {
        String(decoding: contents(), as: UTF8.self)
    }
}

/// A password callback that refuses, so that an encrypted PEM fails instead of prompting
/// on the terminal.
let refusePassword: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = { _, _, _, _ in -1 }
