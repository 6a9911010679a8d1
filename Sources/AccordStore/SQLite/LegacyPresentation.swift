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
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let redacted = object["sd_jwt"] as? String, let sender = object["from"] as? String,
              let type = object["type"] as? String, let purpose = object["purpose"] as? String,
              let agreement = object["agreement"] as? String, let digest = object["agreement_digest"] as? String,
              let received = (object["received_ms"] as? NSNumber)?.int64Value else { return nil }
        let subjects = (object["subjects"] as? [[String: Any]])?.compactMap { item -> SubjectHash? in
            guard let type = item["type"] as? String, let hmac = item["hmac"] as? String else { return nil }
            return SubjectHash(type: type, hmac: hmac)
        }
        return DeliveryEnvelope(
            redacted: redacted, sender: AgencyID(sender), type: type, purpose: purpose, agreementID: AgreementID(agreement), agreementDigest: digest,
            withheld: object["withheld"] as? [String] ?? [], receivedMilliseconds: received, handling: object["handling"] as? String,
            subjects: subjects, binding: object["binding"] as? String)
    }
}
