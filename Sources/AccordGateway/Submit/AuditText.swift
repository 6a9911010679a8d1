import AccordCore
/// Bounds on what a refusal writes to the audit log from the sender's own text. The log is
/// append-only and kept for years; a refused message was accepted by nothing, so it must not
/// be able to make its leaf as large as the message (docs/audit.md, "Refusals").
enum AuditText {
    /// Sender-written strings (type, purpose, recipient and agreement ids) keep at most this many UTF-8 bytes.
    static let maxBytes = 64

    /// `text` if it fits, otherwise its longest prefix of whole characters that fits with `…` after it.
    static func bounded(_ text: String) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var kept = ""
        var bytes = 0
        let room = maxBytes - "…".utf8.count
        for character in text {
            let size = character.utf8.count
            guard bytes + size <= room else { break }
            kept.append(character)
            bytes += size
        }
        return kept + "…"
    }

    /// The recipients a refusal records: none when the message names more than a message may
    /// (their names are the sender's and unbounded), otherwise each bounded.
    static func recipients(_ names: [AgencyID], limit: Int) -> [AgencyID] {
        names.count > limit ? [] : names.map(bounded)
    }

    /// An id the sender wrote, bounded like any text it wrote.
    static func bounded<ID: Identifier>(_ id: ID) -> ID { ID(rawValue: bounded(id.rawValue)) }
}
