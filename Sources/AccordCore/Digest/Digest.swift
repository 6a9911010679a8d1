/// A SHA-256 value: 32 bytes held inline, so that hashing a tree allocates nothing per node.
/// Equality looks at every byte whatever the first difference, so comparing against a secret
/// (a stored token hash, an expected root) says nothing about where the two differ.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32

    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    /// A digest filled in by `body`, which must write all 32 bytes.
    public init(writing body: (UnsafeMutableRawBufferPointer) -> Void) {
        withUnsafeMutableBytes(of: &words) { body($0) }
    }

    /// The digest held in `bytes`, or nil unless they are exactly 32.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        withUnsafeMutableBytes(of: &words) { target in
            let copied: Bool? = bytes.withContiguousStorageIfAvailable {
                target.copyMemory(from: UnsafeRawBufferPointer($0))
                return true
            }
            if copied == nil { target.copyBytes(from: bytes) }
        }
    }

    /// The digest written as 64 hexadecimal digits (either case), or nil.
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lower-case hexadecimal, as digests are stored and shown.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }

    public var description: String { hex }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var copy = words
        return try Swift.withUnsafeBytes(of: &copy) { (buffer) throws(E) -> R in try body(buffer) }
    }

    /// Compares with 32 bytes held elsewhere, without copying them and in constant time.
    public func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        guard other.count == Self.byteCount else { return false }
        return withUnsafeBytes { mine in
            var difference: UInt8 = 0
            for offset in 0..<Self.byteCount { difference |= mine[offset] ^ other[offset] }
            return difference == 0
        }
    }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        // INVARIANT: no early exit, so the time taken does not depend on the first difference.
        let difference = (lhs.words.0 ^ rhs.words.0) | (lhs.words.1 ^ rhs.words.1)
            | (lhs.words.2 ^ rhs.words.2) | (lhs.words.3 ^ rhs.words.3)
        return difference == 0
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
