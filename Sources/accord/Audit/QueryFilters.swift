import AccordCore
import AccordAudit
import AccordStore
import ArgumentParser
import Foundation

/// The filters shared by `query` and `export`. A subject is typed as `type=value`; the value
/// is turned into its keyed hash here and never stored or printed.
struct QueryFilters: ParsableArguments {
    @Option(help: "Earliest time, RFC 3339 (2026-01-31T00:00:00Z) or a date (2026-01-31).")
    var since: String?

    @Option(help: "Time before which to stop, in the same forms.")
    var until: String?

    @Option(help: "An agency that sent, received or acted.")
    var agency: String?

    @Option(help: "An agreement id.")
    var agreement: String?

    @Option(help: "An event kind (repeatable): \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", ")).")
    var event: [String] = []

    @Option(help: "A message id.")
    var message: String?

    @Option(help: "An identifier as type=value, e.g. passport=LA123456.")
    var subject: String?

    @Option(name: .customLong("hmac-key"), help: "The subject HMAC key file (64 hex characters).")
    var hmacKey = "Certificates/dev/gateway/subject-hmac.key"

    @Option(help: "At most this many records.")
    var limit: Int?

    func query() throws -> AuditQuery {
        let events = try event.map { name in
            guard let kind = AuditEvent(rawValue: name) else { throw ValidationError("unknown event kind '\(name)'") }
            return kind
        }
        var subjectHash: SubjectHash?
        if let subject {
            guard let equals = subject.firstIndex(of: "="), equals != subject.startIndex else {
                throw ValidationError("--subject takes type=value, e.g. passport=LA123456")
            }
            let key = try SubjectKey(hex: String(contentsOfFile: hmacKey, encoding: .utf8))
            subjectHash = key.hash(type: String(subject[..<equals]), value: String(subject[subject.index(after: equals)...]))
        }
        return AuditQuery(since: try since.map(Self.parseTime), until: try until.map(Self.parseTime), agency: agency.map(AgencyID.init(rawValue:)),
                          agreementID: agreement.map(AgreementID.init(rawValue:)), events: events, messageID: message.map(MessageID.init(rawValue:)), subject: subjectHash, limit: limit)
    }

    static func parseTime(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return date }
        throw ValidationError("'\(text)' is neither an RFC 3339 time nor a date")
    }
}
