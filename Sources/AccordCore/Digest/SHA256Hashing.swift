/// A SHA-256 context: bytes go in with `update`, the digest comes out with `finalize`, which
/// also resets it for the next message. Pure code (Merkle trees and proofs, agreement version
/// digests) hashes through this protocol and is handed the type to use, so that it needs no
/// crypto library; AccordCrypto's OpenSSL `SHA256.Hasher` is the one implementation.
/// A context is not thread-safe: one per owner.
public protocol SHA256Hashing: AnyObject, SendableMetatype {
    init()
    func update(_ bytes: UnsafeRawBufferPointer)
    /// Writes the digest of everything since the last reset to the 32 bytes at `output`, and resets.
    func finalize(into output: UnsafeMutableRawPointer)
}

extension SHA256Hashing {
    /// The digest of everything since the last reset; resets.
    public func finalizeDigest() -> Digest {
        Digest { finalize(into: $0.baseAddress!) }
    }

    /// The digest of `bytes` alone.
    public func digest(of bytes: [UInt8]) -> Digest {
        bytes.withUnsafeBytes { update($0) }
        return finalizeDigest()
    }

    /// The digest of the UTF-8 bytes of `text` alone.
    public func digest(of text: String) -> Digest {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
        return finalizeDigest()
    }
}
