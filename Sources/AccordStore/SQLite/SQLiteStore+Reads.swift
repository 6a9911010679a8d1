public import AccordCore
public import AccordAudit
public import Foundation
import GRDB

extension SQLiteStore {
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do { return try await database.read(body) } catch { throw BatchApplier.storeError(error) }
    }

    public func message(id: MessageID) async throws(StoreError) -> StoredMessage? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM message WHERE id = ?", arguments: [id.rawValue]).map { row in
                StoredMessage(id: row.id("id"), sender: row.id("sender"), sdJWT: row["sd_jwt"], submissionDigest: row["submission_digest"],
                              receivedAt: AuditTime.date(milliseconds: row["received_ms"]),
                              retainUntil: AuditTime.date(milliseconds: row["retain_until_ms"]))
            }
        }
    }

    public func deliveries(messageID: MessageID) async throws(StoreError) -> [StoredDelivery] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM delivery WHERE message_id = ? ORDER BY recipient", arguments: [messageID.rawValue]).map(Self.delivery)
        }
    }

    public func deliveries(recipient: AgencyID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        try await read { db in
            let placeholders = databaseQuestionMarks(count: states.count)
            let arguments = StatementArguments([recipient.rawValue] + states.map(\.rawValue))
            return try Row.fetchAll(db, sql: "SELECT * FROM delivery WHERE recipient = ? AND state IN (\(placeholders)) ORDER BY rowid",
                                    arguments: arguments).map(Self.delivery)
        }
    }

    /// One page of a recipient's inbox in the order its deliveries became available: deliveries
    /// in `states` whose inbox sequence is above `afterSequence`, at most `limit`. A delivery
    /// that was never available (held, or rejected from held) has no sequence and is not listed.
    public func inbox(recipient: AgencyID, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry] {
        try await read { db in
            let placeholders = databaseQuestionMarks(count: states.count)
            var arguments = StatementArguments([recipient.rawValue] + states.map(\.rawValue))
            arguments += [afterSequence, limit]
            return try Row.fetchAll(db, sql: """
                SELECT * FROM delivery WHERE recipient = ? AND state IN (\(placeholders)) AND available_seq > ?
                ORDER BY available_seq LIMIT ?
                """, arguments: arguments).map { row throws(StoreError) in InboxEntry(sequence: row["available_seq"], delivery: try Self.delivery(row)) }
        }
    }

    public func lastInboxSequence(recipient: AgencyID) async throws(StoreError) -> Int64 {
        try await read { db in
            // One indexed lookup per state (recipient, state, available_seq) rather than a
            // scan of every delivery the recipient ever had.
            try DeliveryState.allCases.compactMap { state in
                try Int64.fetchOne(db, sql: "SELECT max(available_seq) FROM delivery WHERE recipient = ? AND state = ?",
                                   arguments: [recipient.rawValue, state.rawValue])
            }.max() ?? 0
        }
    }

    /// Deliveries still open (pending, held, delivered) whose message's retention ends before
    /// `cutoff`: the gateway expires them, audited, before retention purges their text.
    public func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery] {
        try await read { db in
            try Row.fetchAll(db, sql: """
                SELECT delivery.* FROM delivery JOIN message ON message.id = delivery.message_id
                WHERE message.sd_jwt IS NOT NULL AND message.retain_until_ms < ?
                  AND delivery.state IN (\(DeliveryState.openStates))
                LIMIT ?
                """, arguments: [AuditTime.milliseconds(cutoff), limit]).map(Self.delivery)
        }
    }

    public func deliveries(agreementID: AgreementID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        guard !states.isEmpty else { return [] }
        return try await read { db in
            // The state index narrows to the open deliveries; only those are parsed.
            try Row.fetchAll(db, sql: """
                SELECT * FROM delivery WHERE state IN (\(databaseQuestionMarks(count: states.count)))
                AND agreement_id = ? ORDER BY rowid
                """, arguments: StatementArguments(states.map(\.rawValue) + [agreementID.rawValue])).map(Self.delivery)
        }
    }

    public func delivery(id: DeliveryID) async throws(StoreError) -> StoredDelivery? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM delivery WHERE id = ?", arguments: [id.rawValue]).map(Self.delivery)
        }
    }

    public func agreementSets() async throws(StoreError) -> [StoredAgreementSet] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agreement_set ORDER BY version").map(Self.agreementSet)
        }
    }

    public func latestAgreementSet() async throws(StoreError) -> StoredAgreementSet? {
        try await read { db in try Self.latestAgreementSet(db) }
    }

    /// The set activated last, read before the writer runs: the gateway starts with it.
    public func latestAgreementSetAtStartup() throws(StoreError) -> StoredAgreementSet? {
        do { return try database.read { db in try Self.latestAgreementSet(db) } } catch { throw BatchApplier.storeError(error) }
    }

    private static func latestAgreementSet(_ db: Database) throws -> StoredAgreementSet? {
        try Row.fetchOne(db, sql: "SELECT * FROM agreement_set ORDER BY version DESC LIMIT 1").map(agreementSet)
    }

    private static func agreementSet(_ row: Row) -> StoredAgreementSet {
        StoredAgreementSet(version: row["version"], digest: row["digest"], content: [UInt8](row["content"] as Data),
                           activatedBy: row["activated_by"], activatedAt: AuditTime.date(milliseconds: row["activated_ms"]),
                           auditLeaf: (row["audit_leaf"] as Int64?).map(UInt64.init))
    }

    public func latestAgreementSetDigest() async throws(StoreError) -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT digest FROM agreement_set ORDER BY version DESC LIMIT 1") }
    }

    public func leafCount() async throws(StoreError) -> UInt64 {
        try await read { db in UInt64(try Int64.fetchOne(db, sql: "SELECT count(*) FROM audit_leaf") ?? 0) }
    }

    public func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT idx, leaf, leaf_hash FROM audit_leaf WHERE idx >= ? AND idx < ? ORDER BY idx",
                             arguments: [Int64(clamping: range.lowerBound), Int64(clamping: range.upperBound)]).map(Self.leaf)
        }
    }

    public func leafHashes(in range: Range<UInt64>) async throws(StoreError) -> [UInt8] {
        let lower = Int64(clamping: range.lowerBound)
        let upper = Int64(clamping: range.upperBound)
        let (packed, next) = try await read { db in
            var packed: [UInt8] = []
            packed.reserveCapacity(Int(upper - lower) * 32)
            var next = lower
            let cursor = try Row.fetchCursor(db, sql: "SELECT idx, leaf_hash FROM audit_leaf WHERE idx >= ? AND idx < ? ORDER BY idx",
                                             arguments: [lower, upper])
            while let row = try cursor.next() {
                let index: Int64 = row[0]
                guard index == next else { break }
                var complete = false
                try row.withUnsafeData(atIndex: 1) { data in
                    guard let data, data.count == 32 else { return }
                    packed.append(contentsOf: data)
                    complete = true
                }
                guard complete else { break }
                next += 1
            }
            return (packed, next)
        }
        guard next == upper else { throw StoreError.missingLeaf(UInt64(next), in: range) }
        return packed
    }

    public func checkpoints() async throws(StoreError) -> [StoredCheckpoint] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_checkpoint ORDER BY seq").map(Self.checkpoint)
        }
    }

    // INVARIANT: checkpoint sizes never decrease with `seq` (the writer signs its growing head),
    // so the newest row is the largest and the first above an index is found by `size`.
    public func latestCheckpoint() async throws(StoreError) -> StoredCheckpoint? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_checkpoint ORDER BY seq DESC LIMIT 1").map(Self.checkpoint)
        }
    }

    public func firstCheckpoint(covering index: UInt64) async throws(StoreError) -> StoredCheckpoint? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM audit_checkpoint WHERE size > ? ORDER BY size, seq LIMIT 1",
                             arguments: [Int64(index)]).map(Self.checkpoint)
        }
    }

    static func checkpoint(_ row: Row) -> StoredCheckpoint {
        StoredCheckpoint(sequence: row["seq"], size: UInt64(row["size"] as Int64), rootHash: [UInt8](row["root"] as Data),
                         note: row["note"], createdAt: AuditTime.date(milliseconds: row["created_ms"]))
    }

    public func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] {
        let rows = try await read { db in
            var conditions: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let since = query.since { conditions.append("l.time_ms >= ?"); arguments.append(AuditTime.milliseconds(since)) }
            if let until = query.until { conditions.append("l.time_ms < ?"); arguments.append(AuditTime.milliseconds(until)) }
            if let agreement = query.agreementID { conditions.append("l.agreement_id = ?"); arguments.append(agreement.rawValue) }
            if let message = query.messageID { conditions.append("l.message_id = ?"); arguments.append(message.rawValue) }
            if let start = query.startIndex { conditions.append("l.idx >= ?"); arguments.append(Int64(clamping: start)) }
            if !query.events.isEmpty {
                conditions.append("l.event IN (\(databaseQuestionMarks(count: query.events.count)))")
                arguments.append(contentsOf: query.events.map(\.rawValue))
            }
            if let agency = query.agency {
                conditions.append("l.idx IN (SELECT idx FROM audit_party WHERE agency = ?)")
                arguments.append(agency.rawValue)
            }
            if let subject = query.subject {
                conditions.append("l.idx IN (SELECT idx FROM audit_subject WHERE hmac = ? AND type = ?)")
                arguments.append(contentsOf: [subject.hmac, subject.type])
            }
            var sql = "SELECT idx, leaf, leaf_hash FROM audit_leaf l"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY l.idx"
            if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.leaf)
        }
        var leaves: [AuditLeaf] = []
        for row in rows {
            do { leaves.append(try AuditLeaf(bytes: row.bytes)) } catch {
                throw StoreError(.corruptState, "leaf \(row.index) does not decode: \(error); run `accord audit verify`")
            }
        }
        return leaves
    }

    static func leaf(_ row: Row) -> StoredLeaf {
        StoredLeaf(index: UInt64(row["idx"] as Int64), bytes: [UInt8](row["leaf"] as Data), leafHash: [UInt8](row["leaf_hash"] as Data))
    }

    static func delivery(_ row: Row) throws(StoreError) -> StoredDelivery {
        StoredDelivery(id: row.id("id"), messageID: row.id("message_id"), recipient: row.id("recipient"),
                       state: DeliveryState(rawValue: row["state"]) ?? .rejected, envelope: try EnvelopeColumns.envelope(row),
                       attempts: row["attempts"], updatedAt: AuditTime.date(milliseconds: row["updated_ms"]))
    }
}
