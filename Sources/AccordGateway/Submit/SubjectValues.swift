import AccordCore
import struct AccordAudit.SubjectHash
import AccordMessages

extension VerifiedMessage {
    /// Every scalar claim value outside the routing claims, with its claim path, for keyed
    /// subject hashes. The values never leave the gateway's memory.
    func leafValues() -> [(path: String, value: String)] {
        var found: [(String, String)] = []
        func walk(_ value: JSONValue, _ path: ClaimPath) {
            switch value {
            case .string(let text): found.append((path.description, text))
            case .number(let text): found.append((path.description, text))
            case .object(let members):
                for (name, member) in members where name != "_sd" { walk(member, path.appending(member: name)) }
            case .array(let elements):
                for element in elements { walk(element, path.elementPath) }
            case .bool, .null: break
            }
        }
        for (name, value) in claims where !ClearClaims.names.contains(name) && name != "_sd" {
            walk(value, ClaimPath().appending(member: name))
        }
        return found
    }
}

/// The identifier hashes of one message with the claim paths they were found at, so that each
/// recipient's records name only the identifiers its redaction gives it.
struct IdentifierHashes {
    let byPath: [(path: String, hash: SubjectHash)]

    /// The hashes of identifiers at `paths` (a redaction's disclosed and clear paths), sorted.
    /// Decided by path: an instance in clear inside a withheld array element shares its path
    /// with one in a kept element, and is counted as given (docs/audit.md, "Subject hashes").
    func hashes(reaching paths: Set<String>) -> [SubjectHash] {
        Set(byPath.filter { paths.contains($0.path) }.map(\.hash)).sorted { ($0.type, $0.hmac) < ($1.type, $1.hmac) }
    }
}

/// The subject type an officer types before `=` in `--subject`: the claim's own name, less a
/// trailing `_number` or `_id`, so `subject.passport_number` is `passport` and
/// `employer.nzbn` is `nzbn`.
enum SubjectType {
    static func name(forPath path: String) -> String {
        var last = path.split(separator: ".").last.map(String.init) ?? path
        while last.hasSuffix("[*]") { last.removeLast(3) }
        for suffix in ["_number", "_id"] where last.hasSuffix(suffix) && last.count > suffix.count {
            last.removeLast(suffix.count)
        }
        return last
    }
}
