import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import Foundation

/// Checks an agreement text as activation would read it: together with the rest of the
/// agreements directory, on today's date. The text may be saved when it has no problem of its
/// own and adds none elsewhere (a conflicting overlap, a duplicate id); problems other files
/// already had do not stop it, so broken files can be mended one at a time.
enum AgreementDraftCheck {
    /// A problem as shown beside the edited text.
    struct Problem {
        /// `file:line:column`; for the edited text, its file name.
        let location: String
        let message: String
        let code: String
        /// The edited line the problem points at.
        let excerpt: String?
    }

    enum Outcome {
        /// Nothing stops saving; `elsewhere` lists what other files already had.
        case savable(elsewhere: [Problem])
        case refused(blocking: [Problem], elsewhere: [Problem])
        case unreadable(String)
    }

    static func check(_ text: String, as name: String, in directory: URL, today: CalendarDate) -> Outcome {
        var sources: AgreementSources
        do { sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self) } catch {
            return .unreadable(error.description)
        }
        let path = "\(sources.directory)/\(name)"
        let before = Set(AgreementSet.validate(sources, today: today).1.filter { $0.location.file != path })
        sources.agreements.removeAll { $0.path == path }
        sources.agreements.append(.init(path: path, text: text))
        sources.agreements.sort { $0.path < $1.path }
        let after = AgreementSet.validate(sources, today: today).1
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func problem(_ diagnostic: Diagnostic) -> Problem {
            let location = diagnostic.location
            guard location.file == path else {
                return Problem(location: location.description, message: diagnostic.message, code: diagnostic.check.rawValue, excerpt: nil)
            }
            let line = location.line >= 1 && location.line <= lines.count ? String(lines[location.line - 1].prefix(200)) : nil
            return Problem(location: "\(name):\(location.line):\(location.column)", message: diagnostic.message,
                           code: diagnostic.check.rawValue, excerpt: line)
        }
        let blocking = after.filter { $0.location.file == path || !before.contains($0) }.map(problem)
        let elsewhere = after.filter { $0.location.file != path && before.contains($0) }.map(problem)
        return blocking.isEmpty ? .savable(elsewhere: elsewhere) : .refused(blocking: blocking, elsewhere: elsewhere)
    }
}
