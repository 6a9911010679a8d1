import AccordCrypto
import AccordAudit
import Foundation
import GRDB

/// Applies one batch of work inside one open transaction, each item in its own savepoint,
/// then signs a checkpoint when one is due. Runs on GRDB's writer queue.
struct BatchApplier {
    let configuration: StoreConfiguration
    let now: Date
    private let hasher = TreeHasher()

    init(configuration: StoreConfiguration, now: Date) {
        self.configuration = configuration
        self.now = now
    }

    func apply(_ works: [WriteWork], state initial: WriterState, db: Database) throws -> (WriterState, [Result<WriteResult, StoreError>]) {
        var state = initial
        var results: [Result<WriteResult, StoreError>] = []
        var checkpointRequested = false
        for work in works {
            if case .checkpoint = work {
                checkpointRequested = true
                results.append(.success(.checkpoint(nil)))
                continue
            }
            let before = state
            do {
                var result: WriteResult?
                try db.inSavepoint {
                    result = try perform(work, state: &state, db: db)
                    return .commit
                }
                results.append(.success(result!))
            } catch {
                state = before
                results.append(.failure(Self.storeError(error)))
            }
        }
        let due = state.head.size - state.checkpointSize >= configuration.checkpointEveryLeaves
        if state.head.size > state.checkpointSize, checkpointRequested || due, configuration.signer != nil {
            let checkpoint = try writeCheckpoint(state: &state, db: db)
            for (position, work) in works.enumerated() {
                if case .checkpoint = work { results[position] = .success(.checkpoint(checkpoint)) }
            }
        }
        if state.head.size != initial.head.size {
            try Self.run(db, sql: "INSERT OR REPLACE INTO tree_state (id, size, edge) VALUES (1, ?, ?)",
                           arguments: [Int64(state.head.size), Data(state.head.edge.joined())])
        }
        return (state, results)
    }

    private func perform(_ work: WriteWork, state: inout WriterState, db: Database) throws -> WriteResult {
        switch work {
        case .accept(let submission):
            let message = submission.message
            let digest = "sha-256:" + Hex.encodeDigest(message.sdJWT)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM message WHERE id = ?", arguments: [message.id]) == true {
                throw StoreError(.duplicateMessage, "message \(message.id) was already accepted")
            }
            try Self.run(db, sql: """
                INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [message.id, message.sender, message.sdJWT, digest,
                                 AuditTime.milliseconds(message.receivedAt), AuditTime.milliseconds(message.retainUntil)])
            for delivery in submission.deliveries {
                try Self.run(db, sql: """
                    INSERT INTO delivery (id, message_id, recipient, state, presentation, attempts, updated_ms)
                    VALUES (?, ?, ?, ?, ?, 0, ?)
                    """, arguments: [delivery.id, message.id, delivery.recipient, delivery.state.rawValue,
                                     delivery.presentation, AuditTime.milliseconds(now)])
            }
            return .leaves(try appendLeaves(submission.audit, state: &state, db: db))
        case .append(let records):
            return .leaves(try appendLeaves(records, state: &state, db: db))
        case .updateDelivery(let update):
            guard let current = try String.fetchOne(db, sql: "SELECT state FROM delivery WHERE id = ?", arguments: [update.deliveryID]),
                  let from = DeliveryState(rawValue: current) else {
                throw StoreError(.unknownDelivery, "no delivery \(update.deliveryID)")
            }
            guard from.canMove(to: update.state) else {
                throw StoreError(.invalidTransition, "delivery \(update.deliveryID) cannot move from \(from.rawValue) to \(update.state.rawValue)")
            }
            try Self.run(db, sql: """
                UPDATE delivery SET state = ?, presentation = coalesce(?, presentation),
                    attempts = attempts + ?, updated_ms = ? WHERE id = ?
                """, arguments: [update.state.rawValue, update.presentation, update.countsAsAttempt ? 1 : 0,
                                 AuditTime.milliseconds(now), update.deliveryID])
            return .leaves(try appendLeaves(update.audit, state: &state, db: db))
        case .activateAgreementSet(let activation):
            let leaves = try appendLeaves(activation.audit, state: &state, db: db)
            try Self.run(db, sql: """
                INSERT INTO agreement_set (digest, content, activated_by, activated_ms, audit_leaf) VALUES (?, ?, ?, ?, ?)
                """, arguments: [activation.digest, Data(activation.content), activation.activatedBy,
                                 AuditTime.milliseconds(activation.activatedAt), leaves.first.map(Int64.init)])
            return .agreementSet(version: db.lastInsertedRowID, leaves: leaves)
        case .purge(let cutoff, let purgedAt):
            let cutoffMs = AuditTime.milliseconds(cutoff)
            try Self.run(db, sql: """
                UPDATE delivery SET presentation = NULL
                WHERE presentation IS NOT NULL AND message_id IN
                    (SELECT id FROM message WHERE sd_jwt IS NOT NULL AND retain_until_ms < ?)
                """, arguments: [cutoffMs])
            try Self.run(db, sql: "UPDATE message SET sd_jwt = NULL, purged_ms = ? WHERE sd_jwt IS NOT NULL AND retain_until_ms < ?",
                           arguments: [AuditTime.milliseconds(purgedAt), cutoffMs])
            return .purged(db.changesCount)
        case .checkpoint:
            return .checkpoint(nil)
        }
    }

    private func appendLeaves(_ records: [AuditRecord], state: inout WriterState, db: Database) throws -> [UInt64] {
        var indexes: [UInt64] = []
        for record in records {
            let index = state.head.size
            let leaf: AuditLeaf
            do { leaf = try AuditLeaf(index: index, record: record) } catch {
                throw StoreError(.invalidRecord, "audit record refused: \(error)")
            }
            let hash = hasher.leafHash(leaf.bytes)
            let row = Int64(index)
            try Self.run(db, sql: """
                INSERT INTO audit_leaf (idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [row, Data(leaf.bytes), Data(hash), record.timeMilliseconds, record.event.rawValue,
                                 record.actor, record.messageID, record.agreement?.id])
            var parties = Set(record.to)
            parties.insert(record.actor)
            if let from = record.from { parties.insert(from) }
            for agency in parties {
                try Self.run(db, sql: "INSERT INTO audit_party (idx, agency) VALUES (?, ?)", arguments: [row, agency])
            }
            for subject in Set(record.subjects) {
                try Self.run(db, sql: "INSERT INTO audit_subject (idx, type, hmac) VALUES (?, ?, ?)", arguments: [row, subject.type, subject.hmac])
            }
            state.head.append(leafHash: hash, using: hasher)
            indexes.append(index)
        }
        return indexes
    }

    private func writeCheckpoint(state: inout WriterState, db: Database) throws -> StoredCheckpoint {
        guard let signer = configuration.signer else { throw StoreError(.corruptState, "no checkpoint signer configured") }
        let root = state.head.root(using: hasher)
        let note = try Checkpoint(origin: configuration.origin, size: state.head.size, rootHash: root).signed(by: signer).encoded
        try Self.run(db, sql: "INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES (?, ?, ?, ?)",
                       arguments: [Int64(state.head.size), Data(root), note, AuditTime.milliseconds(now)])
        state.checkpointSize = state.head.size
        state.checkpointTime = now
        return StoredCheckpoint(sequence: db.lastInsertedRowID, size: state.head.size, rootHash: root, note: note, createdAt: now)
    }

    /// Executes through GRDB's statement cache: the writer runs the same few statements for
    /// every submission, and preparing them anew would cost more than the inserts themselves.
    private static func run(_ db: Database, sql: String, arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return StoreError(.invalidRecord, "refused by the database: \(error.message ?? "\(error)")")
        }
        return StoreError(.databaseFailed, "\(error)")
    }
}

extension Hex {
    static func encodeDigest(_ text: String) -> String {
        encode(SHA256.hash(text))
    }
}
