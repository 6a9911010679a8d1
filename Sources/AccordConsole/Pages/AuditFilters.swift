import AccordCore
import AccordAudit
import AccordStore
import Foundation

/// The audit search form turned into a store query, plus the details recorded about the
/// search itself. A subject is typed as `type=value` and kept only as its keyed hash.
struct AuditFilters {
    var query = AuditQuery()
    /// What the `audit.queried` / `audit.exported` record says was asked; the subject only by hash.
    var details: [String: String] = [:]
    var subjectHash: SubjectHash?

    /// Echoed back into the form (never the subject value).
    var echo: [String: String] = [:]

    /// Why the form cannot be searched, in words for the operator.
    struct Problem: Error {
        let message: String
    }

    init(_ form: FormData, subjectKey: SubjectKey, defaultLimit: Int?) throws(Problem) {
        for name in ["since", "until", "agency", "agreement", "event", "message", "limit"] {
            if let value = form[name] { echo[name] = value }
        }
        if let text = form["since"] {
            query.since = try Self.time(text, "From")
            details["since"] = text
        }
        if let text = form["until"] {
            query.until = try Self.time(text, "Until")
            details["until"] = text
        }
        if let agency = form["agency"] {
            query.agency = AgencyID(agency)
            details["agency"] = agency
        }
        if let agreement = form["agreement"] {
            query.agreementID = AgreementID(agreement)
            details["agreement"] = agreement
        }
        for name in form.all("event") {
            guard let event = AuditEvent(rawValue: name) else { throw Problem(message: "'\(name)' is not an event kind.") }
            query.events.append(event)
        }
        if !query.events.isEmpty { details["events"] = query.events.map(\.rawValue).joined(separator: ",") }
        if let message = form["message"] {
            query.messageID = MessageID(message)
            details["message_id"] = message
        }
        if let subject = form["subject"] {
            guard let equals = subject.firstIndex(of: "="), equals != subject.startIndex,
                  !subject[subject.index(after: equals)...].trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Problem(message: "Type the subject identifier as type=value, for example passport=LA123456.")
            }
            let hash = subjectKey.hash(type: String(subject[..<equals]), value: String(subject[subject.index(after: equals)...]))
            query.subject = hash
            subjectHash = hash
            details["subject"] = "\(hash.type):\(hash.hmac)"
        }
        if let text = form["limit"] {
            guard let limit = Int(text), limit > 0, limit <= 100_000 else { throw Problem(message: "'At most' takes a whole number from 1.") }
            query.limit = limit
        } else {
            query.limit = defaultLimit
        }
        if let limit = query.limit { details["limit"] = String(limit) }
    }

    static func time(_ text: String, _ label: String) throws(Problem) -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw Problem(message: "\(label): '\(text)' is neither a date (2026-01-31) nor an RFC 3339 time (2026-01-31T09:00:00Z).")
    }
}
