import AccordAudit
import AccordCore
import Foundation
import GRDB

/// How a `DeliveryEnvelope` maps to the delivery row's columns (migration
/// `v5-delivery-envelope-columns`). The two lists are RFC 8785 arrays: written once by the
/// canonical writer, read back by the strict parser, never through Foundation.
enum EnvelopeColumns {
    static let names = "sd_jwt, sender, message_type, purpose, agreement_id, agreement_digest, withheld, received_ms, handling, subjects, binding"
    static let count = 11

    static func values(_ envelope: DeliveryEnvelope) -> [(any DatabaseValueConvertible)?] {
        [envelope.redacted, envelope.sender.rawValue, envelope.type, envelope.purpose, envelope.agreementID.rawValue, envelope.agreementDigest,
         encode(envelope.withheld), envelope.receivedMilliseconds, envelope.handling, envelope.subjects.map(encode), envelope.binding]
    }

    static func encode(_ paths: [String]) -> String {
        text(.array(paths.map(JSONValue.string)))
    }

    static func encode(_ subjects: [SubjectHash]) -> String {
        text(.array(subjects.map { .object(["type": .string($0.type), "hmac": .string($0.hmac)]) }))
    }

    private static func text(_ value: JSONValue) -> String {
        // Strings only: the canonical writer refuses nothing here.
        (try? CanonicalJSON.string(value)) ?? "[]"
    }

    /// The envelope of a delivery row; nil when the row has none (purged before envelopes
    /// were columns). A list that does not read back is a corrupt row, reported as such.
    static func envelope(_ row: Row) throws(StoreError) -> DeliveryEnvelope? {
        try envelope(id: row["id"] ?? "?", text: { row[$0] }, receivedMilliseconds: row["received_ms"])
    }

    /// The envelope from a row of either backend, its text columns read through `text`.
    static func envelope(id: String, text: (String) -> String?, receivedMilliseconds: Int64?) throws(StoreError) -> DeliveryEnvelope? {
        guard let sender = text("sender"), let type = text("message_type"), let purpose = text("purpose"),
              let agreement = text("agreement_id"), let digest = text("agreement_digest"),
              let received = receivedMilliseconds else { return nil }
        let withheld = text("withheld")
        let subjects = text("subjects")
        return DeliveryEnvelope(
            redacted: text("sd_jwt"), sender: AgencyID(sender), type: type, purpose: purpose, agreementID: AgreementID(agreement), agreementDigest: digest,
            withheld: try strings(withheld ?? "[]", id: id), receivedMilliseconds: received, handling: text("handling"),
            subjects: try subjects.map { list throws(StoreError) in try subjectHashes(list, id: id) }, binding: text("binding"))
    }

    private static func strings(_ text: String, id: String) throws(StoreError) -> [String] {
        guard case .array(let items) = try parse(text, id: id) else { throw corrupt(id, "withheld") }
        var out: [String] = []
        for item in items {
            guard case .string(let path) = item else { throw corrupt(id, "withheld") }
            out.append(path)
        }
        return out
    }

    private static func subjectHashes(_ text: String, id: String) throws(StoreError) -> [SubjectHash] {
        guard case .array(let items) = try parse(text, id: id) else { throw corrupt(id, "subjects") }
        var out: [SubjectHash] = []
        for item in items {
            guard let type = item["type"]?.stringValue, let hmac = item["hmac"]?.stringValue else { throw corrupt(id, "subjects") }
            out.append(SubjectHash(type: type, hmac: hmac))
        }
        return out
    }

    private static func parse(_ text: String, id: String) throws(StoreError) -> JSONValue {
        do { return try JSONParser.parse(text) } catch { throw corrupt(id, "a list column") }
    }

    private static func corrupt(_ id: String, _ column: String) -> StoreError {
        StoreError(.corruptState, "delivery \(id): \(column) does not read back as the gateway wrote it")
    }
}
