public import AccordPolicy
import Foundation

/// Changes an agreement file's top-level lines (`status:`, `id:`) and nothing else, so
/// comments, ordering and the rest of the file survive a change made from the console.
public enum AgreementFileEdit {
    /// The text with its top-level `status:` set to `status`, or nil when the file has no
    /// such line (or more than one).
    public static func settingStatus(_ status: AgreementStatus, in text: String) -> String? {
        setting("status", to: status.rawValue, in: text)
    }

    /// The text with the one top-level `key:` line's value replaced, keeping its comment; nil
    /// when there is no such line or more than one.
    static func setting(_ key: String, to value: String, in text: String) -> String? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let matches = lines.indices.filter { lines[$0].hasPrefix("\(key):") }
        guard matches.count == 1, let index = matches.first else { return nil }
        let rest = lines[index].dropFirst(key.count + 1)
        let comment = rest.firstIndex(of: "#").map { " " + rest[$0...] } ?? ""
        lines[index] = "\(key): \(value)" + comment
        return lines.joined(separator: "\n")
    }

    /// The plain scalar value of the one top-level `key:` line, without comment or quotes; nil
    /// when there is no such line, more than one, or no value on it. The validator reads the
    /// file properly; this only names a new file before it is validated.
    public static func value(of key: String, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).filter { $0.hasPrefix("\(key):") }
        guard lines.count == 1, let line = lines.first else { return nil }
        var value = line.dropFirst(key.count + 1)
        if let comment = value.range(of: " #") { value = value[..<comment.lowerBound] }
        var trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        for quote in ["\"", "'"] where trimmed.count >= 2 && trimmed.hasPrefix(quote) && trimmed.hasSuffix(quote) {
            trimmed = String(trimmed.dropFirst().dropLast())
        }
        return trimmed.isEmpty ? nil : trimmed
    }
}
