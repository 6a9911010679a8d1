import Foundation

/// Splitting serialized SD-JWTs and JWSs, which are ASCII, by byte offset rather than by
/// `Character`: `split(separator:)` on a String walks grapheme clusters, which costs more than
/// the rest of parsing an SD-JWT.
enum ByteSplit {
    /// The ranges of `bytes` between occurrences of `separator`, in order: one more range than
    /// there are separators, so empty parts are kept.
    static func ranges(of bytes: UnsafeBufferPointer<UInt8>, separatedBy separator: UInt8) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(8)
        var start = 0
        if let base = bytes.baseAddress {
            while let found = memchr(base + start, Int32(separator), bytes.count - start) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                ranges.append(start..<index)
                start = index + 1
            }
        }
        ranges.append(start..<bytes.count)
        return ranges
    }
}
