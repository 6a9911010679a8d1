extension ClaimPath {
    /// Reads the dotted text that `description` writes: member names joined by `.`, `[*]` for
    /// the elements of an array, and `["name"]` for a name that is not plain. Nil for any other text.
    public init?(parsing text: String) {
        var segments: [Segment] = []
        var rest = Substring(text)
        var needsName = true
        while !rest.isEmpty {
            if rest.hasPrefix("[*]") {
                guard !segments.isEmpty else { return nil }
                segments.append(.element)
                rest = rest.dropFirst(3)
                needsName = false
            } else if rest.hasPrefix("[\"") {
                guard let (name, after) = Self.quotedName(rest.dropFirst()) else { return nil }
                segments.append(.member(name))
                rest = after
                needsName = false
            } else {
                if !segments.isEmpty {
                    guard rest.first == "." else { return nil }
                    rest = rest.dropFirst()
                }
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                guard end > rest.startIndex else { return nil }
                let name = String(rest[..<end])
                guard !name.contains("]"), !name.contains("\"") else { return nil }
                segments.append(.member(name))
                rest = rest[end...]
                needsName = false
            }
        }
        guard !needsName else { return nil }
        self.init(segments)
    }

    /// A JSON string followed by `]`, as `description` writes an odd member name.
    private static func quotedName(_ text: Substring) -> (String, Substring)? {
        var index = text.index(after: text.startIndex)
        var escaped = false
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                break
            }
            index = text.index(after: index)
        }
        guard index < text.endIndex else { return nil }
        let literal = text[text.startIndex ... index]
        let after = text[text.index(after: index)...]
        guard after.first == "]", case .string(let name)? = try? JSONParser.parse(String(literal)) else { return nil }
        return (name, after.dropFirst())
    }
}
