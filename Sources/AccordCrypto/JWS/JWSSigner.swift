public import Foundation
import COpenSSL

/// Signs JWS signing inputs with one private key, reusing its OpenSSL contexts across
/// calls, which is what keeps a signature near the cost `openssl speed` reports.
/// Not thread-safe: keep one per task or protect it.
public final class JWSSigner {
    public let key: PrivateKey
    // ES256: a sign context over the pre-computed digest. EdDSA: a digest-sign context.
    private let pkeyContext: OpaquePointer?
    private let digestContext: OpaquePointer?
    private let hasher: SHA256.Hasher?

    public init(key: PrivateKey) throws(CryptoError) {
        self.key = key
        switch key.algorithm {
        case .es256:
            guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.handle.pointer, nil) else {
                throw OpenSSLErrorQueue.error(.signingFailed, "cannot create ECDSA signing context")
            }
            guard EVP_PKEY_sign_init(context) == 1 else {
                EVP_PKEY_CTX_free(context)
                throw OpenSSLErrorQueue.error(.signingFailed, "ECDSA sign init failed")
            }
            pkeyContext = context
            digestContext = nil
            hasher = SHA256.Hasher()
        case .edDSA:
            guard let context = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.error(.signingFailed, "EVP_MD_CTX_new failed") }
            guard EVP_DigestSignInit_ex(context, nil, nil, nil, nil, key.handle.pointer, nil) == 1 else {
                EVP_MD_CTX_free(context)
                throw OpenSSLErrorQueue.error(.signingFailed, "Ed25519 sign init failed")
            }
            pkeyContext = nil
            digestContext = context
            hasher = nil
        }
    }

    deinit {
        if let pkeyContext { EVP_PKEY_CTX_free(pkeyContext) }
        if let digestContext { EVP_MD_CTX_free(digestContext) }
    }

    public var algorithm: KeyAlgorithm { key.algorithm }

    /// The JOSE signature of `message`: r||s for ES256, 64 bytes for EdDSA.
    public func sign(_ message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        if let pkeyContext, let hasher {
            hasher.update(message)
            let digest = hasher.finalize()
            var der = [UInt8](repeating: 0, count: 80)
            var length = der.count
            guard EVP_PKEY_sign(pkeyContext, &der, &length, digest, digest.count) == 1 else {
                throw OpenSSLErrorQueue.error(.signingFailed, "ECDSA signing failed")
            }
            return try ECDSASignatureEncoding.jose(fromDER: Array(der.prefix(length)))
        }
        guard let digestContext else { throw CryptoError(.internalFailure, "signer has no context") }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = signature.count
        let ok = message.withUnsafeBytes { input in
            EVP_DigestSign(digestContext, &signature, &length, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
        }
        guard ok == 1, length == 64 else { throw OpenSSLErrorQueue.error(.signingFailed, "Ed25519 signing failed") }
        return signature
    }
}
