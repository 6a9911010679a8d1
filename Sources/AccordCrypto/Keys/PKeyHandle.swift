import COpenSSL

/// Owns one `EVP_PKEY` and frees it on deinit.
// INVARIANT: the key is never mutated after init, so concurrent signing and verification
// through separate operation contexts is safe (OpenSSL 3 keys are reference-counted and
// read-only once built).
package final class PKeyHandle: @unchecked Sendable {
    package let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { EVP_PKEY_free(pointer) }

    func algorithm() throws(CryptoError) -> KeyAlgorithm {
        let id = EVP_PKEY_get_base_id(pointer)
        if id == EVP_PKEY_ED25519 { return .edDSA }
        if id == EVP_PKEY_EC {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pointer, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1 else {
                throw OpenSSLErrorQueue.error(.invalidKey, "EC key without a named curve")
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard curve == "prime256v1" || curve == "P-256" else {
                throw CryptoError(.unsupportedAlgorithm, "EC curve '\(curve)' is not accepted; use P-256")
            }
            return .es256
        }
        throw CryptoError(.unsupportedAlgorithm, "key type \(id) is not accepted; use P-256 or Ed25519")
    }

    /// SubjectPublicKeyInfo DER of the public half.
    func publicKeyDER() throws(CryptoError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PUBKEY(pointer, &out)
        guard length > 0, let out else { throw OpenSSLErrorQueue.error(.invalidKey, "cannot encode public key") }
        defer { accord_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }
}
