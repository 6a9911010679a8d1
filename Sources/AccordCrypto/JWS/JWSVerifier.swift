public import Foundation
import COpenSSL

/// Verifies JOSE signatures with one public key, reusing its OpenSSL contexts.
/// Malformed signatures are refused before OpenSSL is called. Not thread-safe.
public final class JWSVerifier {
    public let key: PublicKey
    private let pkeyContext: OpaquePointer?
    private let digestContext: OpaquePointer?
    private let hasher: SHA256.Hasher?

    public init(key: PublicKey) throws(CryptoError) {
        self.key = key
        switch key.algorithm {
        case .es256:
            guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.handle.pointer, nil) else {
                throw OpenSSLErrorQueue.error(.internalFailure, "cannot create ECDSA verification context")
            }
            guard EVP_PKEY_verify_init(context) == 1 else {
                EVP_PKEY_CTX_free(context)
                throw OpenSSLErrorQueue.error(.internalFailure, "ECDSA verify init failed")
            }
            pkeyContext = context
            digestContext = nil
            hasher = SHA256.Hasher()
        case .edDSA:
            guard let context = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.error(.internalFailure, "EVP_MD_CTX_new failed") }
            guard EVP_DigestVerifyInit_ex(context, nil, nil, nil, nil, key.handle.pointer, nil) == 1 else {
                EVP_MD_CTX_free(context)
                throw OpenSSLErrorQueue.error(.internalFailure, "Ed25519 verify init failed")
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

    /// Returns normally only for a valid signature.
    public func verify(signature: [UInt8], for message: some ContiguousBytes) throws(CryptoError) {
        if let pkeyContext, let hasher {
            let der = try ECDSASignatureEncoding.der(fromJOSE: signature)
            hasher.update(message)
            let digest = hasher.finalize()
            let result = EVP_PKEY_verify(pkeyContext, der, der.count, digest, digest.count)
            OpenSSLErrorQueue.clear()
            guard result == 1 else { throw CryptoError(.signatureInvalid, "ES256 signature does not verify") }
            return
        }
        guard let digestContext else { throw CryptoError(.internalFailure, "verifier has no context") }
        guard signature.count == 64 else {
            throw CryptoError(.invalidSignatureEncoding, "EdDSA signature must be 64 bytes, got \(signature.count)")
        }
        let result = message.withUnsafeBytes { input in
            EVP_DigestVerify(digestContext, signature, 64, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count)
        }
        OpenSSLErrorQueue.clear()
        guard result == 1 else { throw CryptoError(.signatureInvalid, "EdDSA signature does not verify") }
    }
}
