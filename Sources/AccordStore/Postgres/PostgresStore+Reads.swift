public import AccordCore
public import AccordAudit
import AccordPostgres
public import Foundation

extension PostgresStore {
    /// Runs one statement on a pooled connection and maps its rows. A connection found lost
    /// (the server restarted since it was last used) is dropped and the read tried once more
    /// on a new one, so that reads recover with the database without failing one request.
    func read<T>(_ sql: String, _ parameters: [PGValue] = [], _ map: (PGRow) throws -> T) async throws(StoreError) -> [T] {
        do {
            let rows: [PGRow]
            do { rows = try await pool.execute(sql, parameters).rows } catch let error as PGError where error.isConnectionLoss {
                rows = try await pool.execute(sql, parameters).rows
            }
            return try rows.map(map)
        } catch {
            throw Self.storeError(error)
        }
    }

    private static func placeholders(_ count: Int, from first: Int) -> String {
        (first ..< first + count).map { "$\($0)" }.joined(separator: ", ")
    }

    public func message(id: MessageID) async throws(StoreError) -> StoredMessage? {
        try await read("SELECT * FROM message WHERE id = $1", [.id(id)], PostgresRows.message).first
    }

    public func deliveries(messageID: MessageID) async throws(StoreError) -> [StoredDelivery] {
        try await read("SELECT * FROM delivery WHERE message_id = $1 ORDER BY recipient", [.id(messageID)], PostgresRows.delivery)
    }

    public func deliveries(recipient: AgencyID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        guard !states.isEmpty else { return [] }
        return try await read("SELECT * FROM delivery WHERE recipient = $1 AND state IN (\(Self.placeholders(states.count, from: 2))) ORDER BY row_id",
                              [.id(recipient)] + states.map { .text($0.rawValue) }, PostgresRows.delivery)
    }

    /// One page of a recipient's inbox in the order its deliveries became available, as
    /// `SQLiteStore.inbox`: inbox sequences are given under the tree_state lock, so in commit order.
    public func inbox(recipient: AgencyID, states: [DeliveryState], afterSequence: Int64, limit: Int) async throws(StoreError) -> [InboxEntry] {
        guard !states.isEmpty else { return [] }
        let count = states.count
        return try await read("""
            SELECT * FROM delivery WHERE recipient = $1 AND state IN (\(Self.placeholders(count, from: 2)))
            AND available_seq > $\(count + 2) ORDER BY available_seq LIMIT $\(count + 3)
            """, [.id(recipient)] + states.map { .text($0.rawValue) } + [.int(afterSequence), .int(Int64(max(0, limit)))]) { row in
            InboxEntry(sequence: try PostgresRows.integer(row, "available_seq"), delivery: try PostgresRows.delivery(row))
        }
    }

    public func lastInboxSequence(recipient: AgencyID) async throws(StoreError) -> Int64 {
        try await read("SELECT coalesce(max(available_seq), 0) FROM delivery WHERE recipient = $1", [.id(recipient)]) { try $0.int(0) ?? 0 }.first ?? 0
    }

    public func delivery(id: DeliveryID) async throws(StoreError) -> StoredDelivery? {
        try await read("SELECT * FROM delivery WHERE id = $1", [.id(id)], PostgresRows.delivery).first
    }

    public func openDeliveries(retainedUntilBefore cutoff: Date, limit: Int) async throws(StoreError) -> [StoredDelivery] {
        try await read("""
            SELECT delivery.* FROM delivery JOIN message ON message.id = delivery.message_id
            WHERE message.sd_jwt IS NOT NULL AND message.retain_until_ms < $1
              AND delivery.state IN (\(DeliveryState.openStates))
            LIMIT $2
            """, [.int(AuditTime.milliseconds(cutoff)), .int(Int64(max(0, limit)))], PostgresRows.delivery)
    }

    public func deliveries(agreementID: AgreementID, states: [DeliveryState]) async throws(StoreError) -> [StoredDelivery] {
        guard !states.isEmpty else { return [] }
        return try await read("SELECT * FROM delivery WHERE state IN (\(Self.placeholders(states.count, from: 2))) AND agreement_id = $1 ORDER BY row_id",
                              [.id(agreementID)] + states.map { .text($0.rawValue) }, PostgresRows.delivery)
    }

    public func agreementSets() async throws(StoreError) -> [StoredAgreementSet] {
        try await read("SELECT * FROM agreement_set ORDER BY version", [], PostgresRows.agreementSet)
    }

    public func latestAgreementSet() async throws(StoreError) -> StoredAgreementSet? {
        try await read("SELECT * FROM agreement_set ORDER BY version DESC LIMIT 1", [], PostgresRows.agreementSet).first
    }

    public func latestAgreementSetDigest() async throws(StoreError) -> String? {
        try await read("SELECT digest FROM agreement_set ORDER BY version DESC LIMIT 1") { try $0.string(0) }.first ?? nil
    }

    public func leafCount() async throws(StoreError) -> UInt64 {
        UInt64(try await read("SELECT count(*) FROM audit_leaf") { try $0.int(0) ?? 0 }.first ?? 0)
    }

    public func leaves(in range: Range<UInt64>) async throws(StoreError) -> [StoredLeaf] {
        try await read("SELECT idx, leaf, leaf_hash FROM audit_leaf WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                       [.int(Int64(clamping: range.lowerBound)), .int(Int64(clamping: range.upperBound))], PostgresRows.leaf)
    }

    public func checkpoints() async throws(StoreError) -> [StoredCheckpoint] {
        try await read("SELECT * FROM audit_checkpoint ORDER BY seq", [], PostgresRows.checkpoint)
    }

    public func latestCheckpoint() async throws(StoreError) -> StoredCheckpoint? {
        try await read("SELECT * FROM audit_checkpoint ORDER BY seq DESC LIMIT 1", [], PostgresRows.checkpoint).first
    }

    public func firstCheckpoint(covering index: UInt64) async throws(StoreError) -> StoredCheckpoint? {
        try await read("SELECT * FROM audit_checkpoint WHERE size > $1 ORDER BY size, seq LIMIT 1", [.int(Int64(clamping: index))],
                       PostgresRows.checkpoint).first
    }

    public func query(_ query: AuditQuery) async throws(StoreError) -> [AuditLeaf] {
        var conditions: [String] = []
        var parameters: [PGValue] = []
        func parameter(_ value: PGValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let since = query.since { conditions.append("l.time_ms >= \(parameter(.int(AuditTime.milliseconds(since))))") }
        if let until = query.until { conditions.append("l.time_ms < \(parameter(.int(AuditTime.milliseconds(until))))") }
        if let agreement = query.agreementID { conditions.append("l.agreement_id = \(parameter(.id(agreement)))") }
        if let message = query.messageID { conditions.append("l.message_id = \(parameter(.id(message)))") }
        if let start = query.startIndex { conditions.append("l.idx >= \(parameter(.int(Int64(clamping: start))))") }
        if !query.events.isEmpty {
            conditions.append("l.event IN (\(query.events.map { parameter(.text($0.rawValue)) }.joined(separator: ", ")))")
        }
        if let agency = query.agency { conditions.append("l.idx IN (SELECT idx FROM audit_party WHERE agency = \(parameter(.id(agency))))") }
        if let subject = query.subject {
            conditions.append("l.idx IN (SELECT idx FROM audit_subject WHERE hmac = \(parameter(.text(subject.hmac))) AND type = \(parameter(.text(subject.type))))")
        }
        var sql = "SELECT idx, leaf, leaf_hash FROM audit_leaf l"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY l.idx"
        if let limit = query.limit { sql += " LIMIT \(max(0, limit))" }
        var leaves: [AuditLeaf] = []
        for stored in try await read(sql, parameters, PostgresRows.leaf) {
            do { leaves.append(try AuditLeaf(bytes: stored.bytes)) } catch {
                throw StoreError(.corruptState, "leaf \(stored.index) does not decode: \(error); run `accord audit verify`")
            }
        }
        return leaves
    }

    public func pushRecords(recipient: AgencyID) async throws(StoreError) -> [PushRecord] {
        try await read("""
            SELECT push.* FROM push JOIN delivery ON delivery.id = push.delivery_id
            WHERE push.recipient = $1 AND delivery.state IN ('pending', 'delivered')
            """, [.id(recipient)], PostgresRows.push)
    }

    public func pushRecords(state: PushRecord.State, limit: Int) async throws(StoreError) -> [PushRecord] {
        try await read("""
            SELECT push.* FROM push JOIN delivery ON delivery.id = push.delivery_id
            WHERE push.state = $1 AND delivery.state IN ('pending', 'delivered')
            ORDER BY push.first_attempt_ms LIMIT $2
            """, [.text(state.rawValue), .int(Int64(max(0, limit)))], PostgresRows.push)
    }
}
