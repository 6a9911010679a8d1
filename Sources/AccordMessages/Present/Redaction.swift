import AccordCore
/// An SD-JWT reduced to the disclosures an agreement permits, ending in `~` and ready for a
/// key-binding JWT, with the paths it discloses and withholds (for the audit log).
public struct RedactedSDJWT: Sendable, Equatable {
    /// `<issuer-jwt>~<disclosure>~...~`: the SD-JWT that `sd_hash` covers.
    public let serialization: String
    public let disclosedPaths: [String]
    public let withheldPaths: [String]
    /// The paths of the claims held in clear that this presentation carries: an instance goes
    /// with the disclosure enclosing it, so one in a dropped element stays behind while the same
    /// path in a kept element goes. A path here that no agreement permits must be refused.
    public let clearPaths: [String]
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
        var clear: Set<String> = []
        for claim in clearClaims where claim.enclosing.map({ keep[$0] }) ?? true {
            clear.insert(claim.path.description)
        }
        return RedactedSDJWT(serialization: serialization, disclosedPaths: disclosed.sorted(), withheldPaths: withheld.sorted(),
                             clearPaths: clear.sorted())
    }
}
