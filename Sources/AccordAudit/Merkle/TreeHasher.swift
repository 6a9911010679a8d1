public import Foundation
import AccordCrypto

/// RFC 6962 section 2.1 hashing with domain separation: leaves are SHA-256(0x00 || leaf),
/// interior nodes SHA-256(0x01 || left || right). Reuses one digest context, so one instance
/// per owner: it is not thread-safe.
public final class TreeHasher {
    /// The root of the empty tree, SHA-256 of the empty string.
    public static let emptyRoot: [UInt8] = SHA256.hash([UInt8]())

    private let hasher = SHA256.Hasher()

    public init() {}

    public func leafHash(_ leaf: some ContiguousBytes) -> [UInt8] {
        hasher.update(byte: 0x00)
        hasher.update(leaf)
        return hasher.finalize()
    }

    public func nodeHash(_ left: some ContiguousBytes, _ right: some ContiguousBytes) -> [UInt8] {
        hasher.update(byte: 0x01)
        hasher.update(left)
        hasher.update(right)
        return hasher.finalize()
    }

    func leafHash(_ leaf: UnsafeRawBufferPointer) -> NodeHash {
        var hash = NodeHash()
        hasher.update(byte: 0x00)
        hasher.update(leaf)
        hash.withMutableBytes { hasher.finalize(into: $0.baseAddress!) }
        return hash
    }

    func nodeHash(_ left: NodeHash, _ right: NodeHash) -> NodeHash {
        // Two 32-byte values of 8-byte words lie back to back: 0x01 ‖ left ‖ right in two updates.
        let pair = (left, right)
        var hash = NodeHash()
        hasher.update(byte: 0x01)
        withUnsafeBytes(of: pair) { hasher.update($0) }
        hash.withMutableBytes { hasher.finalize(into: $0.baseAddress!) }
        return hash
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
