public import Foundation
public import AccordCore

/// RFC 6962 section 2.1 hashing with domain separation: leaves are SHA-256(0x00 || leaf),
/// interior nodes SHA-256(0x01 || left || right). Hashes through any `SHA256Hashing`, so that
/// building and verifying proofs needs no crypto library of its own. Reuses one context, so
/// one instance per owner: it is not thread-safe.
public final class TreeHasher {
    /// The root of the empty tree, SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = Digest(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")!.bytes

    private let hasher: any SHA256Hashing

    /// A tree hasher over contexts of type `hashing`.
    public init(hashing: any SHA256Hashing.Type) {
        hasher = hashing.init()
    }

    public func leafHash(_ leaf: some ContiguousBytes) -> [UInt8] {
        leaf.withUnsafeBytes { leafHash($0) }.bytes
    }

    public func nodeHash(_ left: some ContiguousBytes, _ right: some ContiguousBytes) -> [UInt8] {
        hasher.update(byte: 0x01)
        left.withUnsafeBytes { hasher.update($0) }
        right.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeDigest().bytes
    }

    func leafHash(_ leaf: UnsafeRawBufferPointer) -> Digest {
        hasher.update(byte: 0x00)
        hasher.update(leaf)
        return hasher.finalizeDigest()
    }

    func nodeHash(_ left: Digest, _ right: Digest) -> Digest {
        // Two 32-byte values lie back to back: 0x01 ‖ left ‖ right in two updates.
        let pair = (left, right)
        hasher.update(byte: 0x01)
        withUnsafeBytes(of: pair) { hasher.update($0) }
        return hasher.finalizeDigest()
    }
}

extension SHA256Hashing {
    func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }
}

extension UInt64 {
    /// The largest power of two strictly less than `self` (RFC 6962's `k`); `self` must be > 1.
    var largestPowerOfTwoBelow: UInt64 {
        precondition(self > 1)
        return 1 << (63 - (self - 1).leadingZeroBitCount)
    }

    var isPowerOfTwo: Bool { self != 0 && self & (self - 1) == 0 }
}
