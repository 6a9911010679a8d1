import AccordCore
import AccordAudit
import Foundation
import GRDB

/// Delivery envelopes as earlier versions stored them: one JSON document in `presentation`,
/// written by `JSONEncoder` in the first versions and as canonical JSON later. Read only by
/// migration `v5-delivery-envelope-columns`, once per database, which is why Foundation's
/// lenient reader is good enough here and is not used anywhere else.
enum LegacyPresentation {
    static func moveToColumns(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, presentation FROM delivery WHERE presentation IS NOT NULL")
        let update = try db.makeStatement(sql: """
            UPDATE delivery SET presentation = NULL, \(EnvelopeColumns.names.split(separator: ",").map { "\($0.trimmingCharacters(in: .whitespaces)) = ?" }.joined(separator: ", "))
            WHERE id = ?
            """)
        for row in rows {
            let id: String = row["id"]
            let text: String = row["presentation"]
            // A row that never held a gateway-written envelope keeps its text untouched.
            guard let envelope = envelope(text) else { continue }
            try update.execute(arguments: StatementArguments(EnvelopeColumns.values(envelope) + [id]))
        }
    }

    static func envelope(_ text: String) -> DeliveryEnvelope? {
        guard case .object(let object)? = try? JSONParser.parse(text),
              let redacted = object["sd_jwt"]?.stringValue, let sender = object["from"]?.stringValue,
              let type = object["type"]?.stringValue, let purpose = object["purpose"]?.stringValue,
              let agreement = object["agreement"]?.stringValue, let digest = object["agreement_digest"]?.stringValue,
              let received = object["received_ms"]?.integerValue else { return nil }
        let subjects = object["subjects"]?.arrayValue?.compactMap { item -> SubjectHash? in
            guard let type = item["type"]?.stringValue, let hmac = item["hmac"]?.stringValue else { return nil }
            return SubjectHash(type: type, hmac: hmac)
        }
        return DeliveryEnvelope(
            redacted: redacted, sender: AgencyID(sender), type: type, purpose: purpose, agreementID: AgreementID(agreement), agreementDigest: digest,
            withheld: object["withheld"]?.arrayValue?.compactMap(\.stringValue) ?? [], receivedMilliseconds: Int64(received),
            handling: object["handling"]?.stringValue, subjects: subjects, binding: object["binding"]?.stringValue)
    }
}
