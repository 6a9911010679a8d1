public import Foundation
import COpenSSL

/// A P-256 or Ed25519 public key: from SubjectPublicKeyInfo (DER or PEM), a JWK, or a
/// certificate. Gives its JWK and RFC 7638 thumbprint, and verifies JOSE signatures.
public final class PublicKey: Sendable, Equatable {
    package let handle: PKeyHandle
    public let algorithm: KeyAlgorithm
    /// SubjectPublicKeyInfo DER, kept for equality and thumbprints.
    public let spkiDER: [UInt8]

    init(handle: PKeyHandle) throws(CryptoError) {
        self.handle = handle
        self.algorithm = try handle.algorithm()
        self.spkiDER = try handle.publicKeyDER()
    }

    public convenience init(spkiDER der: [UInt8]) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let key = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        guard let key else { throw OpenSSLErrorQueue.error(.invalidDER, "not a SubjectPublicKeyInfo") }
        try self.init(handle: PKeyHandle(taking: key))
    }

    public convenience init(pem: String) throws(CryptoError) {
        let bio = try MemoryBIO(Array(pem.utf8))
        OpenSSLErrorQueue.clear()
        guard let key = PEM_read_bio_PUBKEY(bio.pointer, nil, refusePassword, nil) else {
            throw OpenSSLErrorQueue.error(.invalidPEM, "no public key in PEM text")
        }
        try self.init(handle: PKeyHandle(taking: key))
    }

    /// Builds the key from a JWK (`kty` EC with `crv` P-256, or `kty` OKP with `crv` Ed25519).
    public convenience init(jwk: JWK) throws(CryptoError) {
        try self.init(spkiDER: jwk.subjectPublicKeyInfo())
    }

    public func pem() throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_PUBKEY(bio.pointer, handle.pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidPEM, "cannot write public key as PEM")
        }
        return bio.string()
    }

    public var jwk: JWK {
        // The SPKI was produced by OpenSSL for a key of a known algorithm, so it parses.
        try! JWK(subjectPublicKeyInfo: spkiDER, algorithm: algorithm)
    }

    /// Verifies a JOSE signature over `message`; throws `signatureInvalid` or
    /// `invalidSignatureEncoding` naming the reason.
    public func verify(signature: [UInt8], for message: some ContiguousBytes) throws(CryptoError) {
        try JWSVerifier(key: self).verify(signature: signature, for: message)
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.spkiDER == rhs.spkiDER
    }
}
