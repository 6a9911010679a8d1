public import Foundation
import COpenSSL

/// A P-256 or Ed25519 private key held by OpenSSL. Generate one, or load it from PKCS#8 PEM.
public final class PrivateKey: Sendable {
    package let handle: PKeyHandle
    public let algorithm: KeyAlgorithm

    init(handle: PKeyHandle) throws(CryptoError) {
        self.handle = handle
        self.algorithm = try handle.algorithm()
    }

    /// A fresh key from OpenSSL's DRBG.
    public static func generate(_ algorithm: KeyAlgorithm) throws(CryptoError) -> PrivateKey {
        let name = algorithm == .es256 ? "EC" : "ED25519"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw OpenSSLErrorQueue.error(.invalidKey, "no \(name) key generator")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSLErrorQueue.error(.invalidKey, "keygen init failed") }
        if algorithm == .es256 {
            guard EVP_PKEY_CTX_set_group_name(context, "P-256") == 1 else {
                throw OpenSSLErrorQueue.error(.invalidKey, "cannot select curve P-256")
            }
        }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw OpenSSLErrorQueue.error(.invalidKey, "key generation failed")
        }
        return try PrivateKey(handle: PKeyHandle(taking: key))
    }

    /// Loads a private key from PEM (PKCS#8 `PRIVATE KEY`, or the traditional EC form).
    /// Encrypted keys are refused rather than prompting for a passphrase.
    public convenience init(pem: String) throws(CryptoError) {
        let bio = try MemoryBIO(Array(pem.utf8))
        OpenSSLErrorQueue.clear()
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, refusePassword, nil) else {
            throw OpenSSLErrorQueue.error(.invalidPEM, "no readable unencrypted private key in PEM text")
        }
        try self.init(handle: PKeyHandle(taking: key))
    }

    /// Loads a private key from a PEM file, naming the file in any error.
    public convenience init(pemFile path: String) throws(CryptoError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CryptoError(.ioFailed, "cannot read private key file \(path): \(error.localizedDescription)")
        }
        do { try self.init(pem: text) } catch {
            throw CryptoError(error.code, "\(path): \(error.message)", openSSLErrors: error.openSSLErrors)
        }
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted: protect the file by its mode.
    public func pemPKCS8() throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, handle.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidPEM, "cannot write private key as PEM")
        }
        return bio.string()
    }

    public var publicKey: PublicKey {
        // The public half of a valid private key always encodes and decodes.
        // swiftlint:disable:next force_try
        let der = try! handle.publicKeyDER()
        return try! PublicKey(spkiDER: der)
    }

    /// Signs `message` in JOSE form: r||s for ES256, the raw 64 bytes for EdDSA.
    public func sign(_ message: some ContiguousBytes) throws(CryptoError) -> [UInt8] {
        try JWSSigner(key: self).sign(message)
    }
}
