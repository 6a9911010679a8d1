import Foundation

/// A 32-byte SHA-256 value held inline, so that hashing a tree allocates nothing per node.
struct NodeHash: Sendable, Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// `bytes` must hold exactly 32 bytes.
    init(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { source in
            precondition(source.count == 32, "a node hash is 32 bytes")
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: source) }
        }
    }

    var bytes: [UInt8] { withBytes { Array($0) } }

    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: words, body)
    }

    mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeMutableBytes(of: &words, body)
    }

    /// Compares with 32 stored bytes without copying them.
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        other.count == 32 && withBytes { memcmp($0.baseAddress!, other.baseAddress!, 32) == 0 }
    }

    static func == (lhs: NodeHash, rhs: NodeHash) -> Bool {
        lhs.words == rhs.words
    }
}
