import COpenSSL

/// Drains OpenSSL's per-thread error queue so that a failure reports OpenSSL's own words
/// and a later call does not inherit stale errors.
package enum OpenSSLErrorQueue {
    package static func drain() -> [String] {
        var lines: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return lines
    }

    package static func clear() {
        ERR_clear_error()
    }

    /// An error of `code` with the queue's current content attached.
    package static func error(_ code: CryptoError.Code, _ message: String) -> CryptoError {
        CryptoError(code, message, openSSLErrors: drain())
    }
}
