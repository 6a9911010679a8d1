/// An SD-JWT reduced to the disclosures an agreement permits, ending in `~` and ready for a
/// key-binding JWT, with the paths it discloses and withholds (for the audit log).
public struct RedactedSDJWT: Sendable, Equatable {
    /// `<issuer-jwt>~<disclosure>~...~`: the SD-JWT that `sd_hash` covers.
    public let serialization: String
    public let disclosedPaths: [String]
    public let withheldPaths: [String]
}

extension VerifiedMessage {
    /// Keeps the disclosure of every claim whose path is in `permitted` together with the
    /// disclosures of its ancestors, and drops every other disclosure; a withheld object or
    /// array therefore takes all its descendants with it. Paths are in `ClaimPath` text form.
    /// Permitting an object's path discloses the object, not its selectively disclosable members.
    public func redact(permitting permitted: Set<String>) -> RedactedSDJWT {
        var keep = Array(repeating: false, count: records.count)
        for (index, record) in records.enumerated() where permitted.contains(record.path.description) {
            var cursor: Int? = index
            while let current = cursor, !keep[current] {
                keep[current] = true
                cursor = records[current].parent
            }
        }
        var serialization = issuerJWT + "~"
        var disclosed: Set<String> = []
        var withheld: Set<String> = []
        for (index, record) in records.enumerated() {
            if keep[index] {
                serialization += record.disclosure.encoded + "~"
                disclosed.insert(record.path.description)
            } else {
                withheld.insert(record.path.description)
            }
        }
        return RedactedSDJWT(serialization: serialization, disclosedPaths: disclosed.sorted(), withheldPaths: withheld.sorted())
    }
}
