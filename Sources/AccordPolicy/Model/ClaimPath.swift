/// Claim paths name claims inside a message: dotted segments, `[*]` after a segment for
/// the elements of an array (`subject.passport_number`, `indicators[*]`).
public enum ClaimPath {
    /// Whether `text` is a well-formed claim path.
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

    /// Whether a disclosure rule names `path`: the same path, or an ancestor of it
    /// (`subject` covers `subject.family_name`; `indicators` covers `indicators[*]`).
    public static func rule(_ rule: String, covers path: String) -> Bool {
        guard path.hasPrefix(rule) else { return false }
        if path.count == rule.count { return true }
        let next = path[path.index(path.startIndex, offsetBy: rule.count)]
        return next == "." || next == "["
    }
}
