public import AccordPolicy

/// Changes an agreement file's top-level `status:` line and nothing else, so comments,
/// ordering and the rest of the file survive a suspension made from the console.
public enum AgreementFileEdit {
    /// The text with its top-level `status:` set to `status`, or nil when the file has no
    /// such line (or more than one).
    public static func settingStatus(_ status: AgreementStatus, in text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let matches = lines.indices.filter { lines[$0].hasPrefix("status:") }
        guard matches.count == 1, let index = matches.first else { return nil }
        let rest = lines[index].dropFirst("status:".count)
        let comment = rest.firstIndex(of: "#").map { " " + rest[$0...] } ?? ""
        lines[index] = "status: \(status.rawValue)" + comment
        return lines.joined(separator: "\n")
    }
}
