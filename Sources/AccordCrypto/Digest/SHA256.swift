public import Foundation
public import AccordCore
import COpenSSL

/// SHA-256 through OpenSSL. `hash` is the one-shot form; a `SHA256.Hasher` keeps one
/// digest context for repeated use where the cost of allocation matters (Merkle trees).
public enum SHA256 {
    public static let byteCount = 32

    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, FetchedAlgorithms.shared.sha256, nil)
            }
        }
        precondition(ok == 1 && length == 32, "SHA-256 failed: \(OpenSSLErrorQueue.drain())")
        return output
    }

    public static func hash(_ string: String) -> [UInt8] {
        var string = string
        return string.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// A reusable SHA-256 context, the implementation of `SHA256Hashing` that pure targets are
    /// handed. Not thread-safe: one per owner.
    public final class Hasher: SHA256Hashing {
        private let context: OpaquePointer

        public required init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed") }
            self.context = context
            reset()
        }

        deinit { EVP_MD_CTX_free(context) }

        public func reset() {
            let ok = EVP_DigestInit_ex2(context, FetchedAlgorithms.shared.sha256, nil)
            precondition(ok == 1, "SHA-256 init failed: \(OpenSSLErrorQueue.drain())")
        }

        public func update(_ bytes: some ContiguousBytes) {
            bytes.withUnsafeBytes { input in
                _ = EVP_DigestUpdate(context, input.baseAddress, input.count)
            }
        }

        public func update(byte: UInt8) {
            withUnsafePointer(to: byte) { _ = EVP_DigestUpdate(context, $0, 1) }
        }

        public func update(_ bytes: UnsafeRawBufferPointer) {
            _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
        }

        /// Returns the digest of everything since the last reset, and resets.
        public func finalize() -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: SHA256.byteCount) { buffer, count in
                finalize(into: UnsafeMutableRawPointer(buffer.baseAddress!))
                count = SHA256.byteCount
            }
        }

        /// Writes the digest of everything since the last reset to the 32 bytes at `output`,
        /// and resets: the form for hot loops, which allocates nothing.
        public func finalize(into output: UnsafeMutableRawPointer) {
            var length: UInt32 = 0
            let ok = EVP_DigestFinal_ex(context, output.assumingMemoryBound(to: UInt8.self), &length)
            precondition(ok == 1 && length == 32, "SHA-256 final failed: \(OpenSSLErrorQueue.drain())")
            reset()
        }
    }
}
