extension StringProtocol {
    /// Splits on an ASCII separator by UTF-8 code unit. `split(separator:)` on a String walks
    /// grapheme clusters, which costs more than the rest of parsing an SD-JWT.
    func splitASCII(_ separator: UInt8) -> [SubSequence] {
        var parts: [SubSequence] = []
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == separator {
                parts.append(self[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        parts.append(self[start..<utf8.endIndex])
        return parts
    }
}
