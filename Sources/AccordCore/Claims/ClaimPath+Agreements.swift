extension ClaimPath {
    /// Whether `text` is a claim path as agreements and schemas write it: dotted lowercase
    /// names (`subject.passport_number`), with `[*]` after a name for the elements of an array.
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        for segment in text.split(separator: ".", omittingEmptySubsequences: false) {
            var name = Substring(segment)
            while name.hasSuffix("[*]") { name = name.dropLast(3) }
            guard let first = name.first, first.isASCII, first.isLowercase else { return false }
            guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                return false
            }
        }
        return true
    }

    /// Whether a disclosure rule names `path`, both written as agreements write them: the
    /// same path, or an ancestor of it (`subject` covers `subject.family_name`; `indicators`
    /// covers `indicators[*]`). Works on the text, as the engine holds rules as text.
    public static func rule(_ rule: String, covers path: String) -> Bool {
        guard path.hasPrefix(rule) else { return false }
        if path.count == rule.count { return true }
        let next = path[path.index(path.startIndex, offsetBy: rule.count)]
        return next == "." || next == "["
    }
}
