import AccordCore
import AccordAudit
import AccordPostgres
import Foundation

/// How the stored types map to PostgreSQL rows and parameters; the columns are the same as
/// SQLite's (PostgresSchema).
enum PostgresRows {
    static func envelopeValues(_ envelope: DeliveryEnvelope) -> [PGValue] {
        func text(_ value: String?) -> PGValue { value.map(PGValue.text) ?? .null }
        return [text(envelope.redacted), .id(envelope.sender), .text(envelope.type), .text(envelope.purpose), .id(envelope.agreementID),
                .text(envelope.agreementDigest), .text(EnvelopeColumns.encode(envelope.withheld)), .int(envelope.receivedMilliseconds),
                text(envelope.handling), text(envelope.subjects.map(EnvelopeColumns.encode)), text(envelope.binding)]
    }

    static func delivery(_ row: PGRow) throws -> StoredDelivery {
        let id: DeliveryID = try identifier(row, "id")
        func optional(_ name: String) -> String? { (try? row.column(name)).flatMap { try? row.string($0) } }
        return StoredDelivery(
            id: id, messageID: try identifier(row, "message_id"), recipient: try identifier(row, "recipient"),
            state: DeliveryState(rawValue: try text(row, "state")) ?? .rejected,
            envelope: try EnvelopeColumns.envelope(id: id.rawValue, text: optional, receivedMilliseconds: try row.int(row.column("received_ms"))),
            attempts: Int(try integer(row, "attempts")), updatedAt: AuditTime.date(milliseconds: try integer(row, "updated_ms")))
    }

    static func message(_ row: PGRow) throws -> StoredMessage {
        StoredMessage(id: try identifier(row, "id"), sender: try identifier(row, "sender"), sdJWT: try row.string(row.column("sd_jwt")),
                      submissionDigest: try text(row, "submission_digest"),
                      receivedAt: AuditTime.date(milliseconds: try integer(row, "received_ms")),
                      retainUntil: AuditTime.date(milliseconds: try integer(row, "retain_until_ms")))
    }

    static func agreementSet(_ row: PGRow) throws -> StoredAgreementSet {
        StoredAgreementSet(version: try integer(row, "version"), digest: try text(row, "digest"), content: try bytes(row, "content"),
                           activatedBy: try text(row, "activated_by"), activatedAt: AuditTime.date(milliseconds: try integer(row, "activated_ms")),
                           auditLeaf: try row.int(row.column("audit_leaf")).map(UInt64.init))
    }

    static func checkpoint(_ row: PGRow) throws -> StoredCheckpoint {
        StoredCheckpoint(sequence: try integer(row, "seq"), size: UInt64(try integer(row, "size")), rootHash: try bytes(row, "root"),
                         note: try text(row, "note"), createdAt: AuditTime.date(milliseconds: try integer(row, "created_ms")))
    }

    static func leaf(_ row: PGRow) throws -> StoredLeaf {
        StoredLeaf(index: UInt64(try integer(row, "idx")), bytes: try bytes(row, "leaf"), leafHash: try bytes(row, "leaf_hash"))
    }

    static func push(_ row: PGRow) throws -> PushRecord {
        PushRecord(
            deliveryID: try identifier(row, "delivery_id"), recipient: try identifier(row, "recipient"),
            state: PushRecord.State(rawValue: try text(row, "state")) ?? .retrying,
            firstAttempt: AuditTime.date(milliseconds: try integer(row, "first_attempt_ms")),
            lastAttempt: AuditTime.date(milliseconds: try integer(row, "last_attempt_ms")), attempts: Int(try integer(row, "attempts")),
            nextAttempt: AuditTime.date(milliseconds: try integer(row, "next_attempt_ms")),
            lastFailure: try row.string(row.column("last_failure")))
    }

    static func text(_ row: PGRow, _ name: String) throws -> String {
        guard let value = try row.string(row.column(name)) else { throw PGError(.conversion, "column \(name) is NULL") }
        return value
    }

    static func identifier<ID: Identifier>(_ row: PGRow, _ name: String) throws -> ID {
        ID(rawValue: try text(row, name))
    }

    static func integer(_ row: PGRow, _ name: String) throws -> Int64 {
        guard let value = try row.int(row.column(name)) else { throw PGError(.conversion, "column \(name) is NULL") }
        return value
    }

    static func bytes(_ row: PGRow, _ name: String) throws -> [UInt8] {
        guard let value = try row.bytes(row.column(name)) else { throw PGError(.conversion, "column \(name) is NULL") }
        return value
    }
}
