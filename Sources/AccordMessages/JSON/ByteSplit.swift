extension StringProtocol {
    /// Splits on an ASCII separator by UTF-8 code unit. `split(separator:)` on a String walks
    /// grapheme clusters, which costs more than the rest of parsing an SD-JWT.
    func splitASCII(_ separator: UInt8) -> [SubSequence] {
        let offsets: [Int] = utf8.withContiguousStorageIfAvailable { bytes in
            bytes.indices.filter { bytes[$0] == separator }
        } ?? utf8.enumerated().filter { $0.element == separator }.map(\.offset)
        var parts: [SubSequence] = []
        parts.reserveCapacity(offsets.count + 1)
        var start = utf8.startIndex
        var previous = 0
        for offset in offsets {
            // INVARIANT: offsets rise, and the separator is ASCII, so each index is a character boundary.
            let index = utf8.index(start, offsetBy: offset - previous)
            parts.append(self[start..<index])
            start = utf8.index(after: index)
            previous = offset + 1
        }
        parts.append(self[start..<utf8.endIndex])
        return parts
    }
}
