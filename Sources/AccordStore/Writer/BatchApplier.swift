import AccordCore
import AccordCrypto
import AccordAudit
import Foundation
import GRDB

/// Applies one batch of work inside one open transaction, then signs a checkpoint when one is
/// due. Runs on GRDB's writer queue.
///
/// Each job first validates without writing (leaf encoding, a delivery's current state), and a
/// submission's first write is its message row, which SQLite undoes alone when it fails (a
/// duplicate): such failures fail their job alone at no cost. In `.grouped` mode nothing else
/// is isolated; a job that fails after it has written throws `IsolationNeeded`, the caller rolls
/// the whole transaction back and applies the batch again in `.isolated` mode, a savepoint per
/// job, so that one failing job never takes the others down with it.
struct BatchApplier {
    enum Mode {
        case grouped
        case isolated
    }

    /// A job failed after writing in `.grouped` mode: roll back and apply again `.isolated`.
    struct IsolationNeeded: Error {}

    let configuration: StoreConfiguration
    let now: Date
    let mode: Mode
    private let hasher = TreeHasher()

    init(configuration: StoreConfiguration, now: Date, mode: Mode = .grouped) {
        self.configuration = configuration
        self.now = now
        self.mode = mode
    }

    func apply(_ works: [WriteWork], state initial: WriterState, db: Database) throws -> (WriterState, [Result<WriteResult, StoreError>]) {
        var state = initial
        var results: [Result<WriteResult, StoreError>] = []
        results.reserveCapacity(works.count)
        let statements = Statements(db)
        var checkpointRequested = false
        for work in works {
            if case .checkpoint = work {
                checkpointRequested = true
                results.append(.success(.checkpoint(nil)))
                continue
            }
            let before = state
            switch mode {
            case .grouped:
                do {
                    results.append(.success(try perform(work, state: &state, statements: statements, db: db)))
                } catch let failure as JobFailure {
                    state = before
                    results.append(.failure(failure.error))
                } catch let error as DatabaseError where Self.abortsTransaction(error) {
                    // SQLite has rolled the whole transaction back already: no savepoint can
                    // isolate a job from a full disk, so the batch fails with the cause.
                    throw error
                } catch {
                    throw IsolationNeeded()
                }
            case .isolated:
                do {
                    var result: WriteResult?
                    try db.inSavepoint {
                        result = try perform(work, state: &state, statements: statements, db: db)
                        return .commit
                    }
                    results.append(.success(result!))
                } catch {
                    state = before
                    results.append(.failure(Self.storeError((error as? JobFailure)?.error ?? error)))
                }
            }
        }
        let due = state.head.size - state.checkpointSize >= configuration.checkpointEveryLeaves
        let rotating = state.rotatingTo != nil
        if state.head.size > state.checkpointSize, checkpointRequested || due || rotating, state.signer != nil {
            let checkpoint = try writeCheckpoint(state: &state, statements: statements, db: db)
            for (position, work) in works.enumerated() {
                if case .checkpoint = work { results[position] = .success(.checkpoint(checkpoint)) }
                if case .rotateAuditKey = work, case .success(.leaves(let leaves)) = results[position], let leaf = leaves.first {
                    results[position] = .success(.rotation(leaf: leaf, checkpoint: checkpoint))
                }
            }
        }
        if let next = state.rotatingTo {
            state.signer = next
            state.rotatingTo = nil
        }
        if state.head.size != initial.head.size {
            try statements.execute(.treeState, [Int64(state.head.size), Data(state.head.edge.joined())])
        }
        if state.inboxSequence != initial.inboxSequence {
            try statements.execute(.inboxSequence, [state.inboxSequence])
        }
        return (state, results)
    }

    /// A job refused before it wrote anything (or by its first, self-undoing statement).
    private struct JobFailure: Error {
        let error: StoreError
    }

    /// The writer's statements, prepared once per batch and reused for every job in it.
    /// A statement whose step failed is dropped and prepared afresh on its next use: SQLite
    /// reports a failed step again on the statement's next reset, which would fail an innocent job.
    private final class Statements {
        enum Kind: Int, CaseIterable {
            case message, delivery, leaf, party, subject, deliveryState, updateDelivery
            case agreementSet, purgePresentations, purgeMessages, purgePush, checkpoint, treeState, inboxSequence, push

            var sql: String {
                switch self {
                case .message: """
                    INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
                case .delivery: """
                    INSERT INTO delivery (id, message_id, recipient, state, attempts, updated_ms, available_seq, \(EnvelopeColumns.names))
                    VALUES (?, ?, ?, ?, 0, ?, ?, \(databaseQuestionMarks(count: EnvelopeColumns.count)))
                    """
                case .leaf: """
                    INSERT INTO audit_leaf (idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
                case .party: "INSERT INTO audit_party (idx, agency) VALUES (?, ?)"
                case .subject: "INSERT INTO audit_subject (idx, type, hmac) VALUES (?, ?, ?)"
                case .deliveryState: "SELECT state FROM delivery WHERE id = ?"
                case .updateDelivery: """
                    UPDATE delivery SET state = ?, attempts = attempts + ?, updated_ms = ?, available_seq = coalesce(?, available_seq) WHERE id = ?
                    """
                case .agreementSet: """
                    INSERT INTO agreement_set (digest, content, activated_by, activated_ms, audit_leaf) VALUES (?, ?, ?, ?, ?)
                    """
                // A message with a delivery still open keeps its text: only the gateway's expiry,
                // audited, closes a delivery, so none is left open without what it delivers.
                case .purgePresentations: """
                    UPDATE delivery SET sd_jwt = NULL, presentation = NULL
                    WHERE (sd_jwt IS NOT NULL OR presentation IS NOT NULL) AND message_id IN
                        (SELECT id FROM message WHERE sd_jwt IS NOT NULL AND retain_until_ms < ?
                         AND NOT EXISTS (SELECT 1 FROM delivery AS other WHERE other.message_id = message.id
                                         AND other.state IN (\(DeliveryState.openStates))))
                    """
                case .purgeMessages: """
                    UPDATE message SET sd_jwt = NULL, purged_ms = ? WHERE sd_jwt IS NOT NULL AND retain_until_ms < ?
                    AND NOT EXISTS (SELECT 1 FROM delivery AS other WHERE other.message_id = message.id
                                    AND other.state IN (\(DeliveryState.openStates)))
                    """
                // How pushing a delivery went matters only while it waits; the audit log keeps each try.
                case .purgePush: "DELETE FROM push WHERE delivery_id IN (SELECT id FROM delivery WHERE state NOT IN (\(DeliveryState.openStates)))"
                case .checkpoint: "INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES (?, ?, ?, ?)"
                case .treeState: "INSERT OR REPLACE INTO tree_state (id, size, edge) VALUES (1, ?, ?)"
                case .inboxSequence: "UPDATE inbox_sequence SET value = ? WHERE id = 1"
                case .push: """
                    INSERT OR REPLACE INTO push (delivery_id, recipient, state, first_attempt_ms, last_attempt_ms, attempts, next_attempt_ms, last_failure)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
                }
            }
        }

        private let db: Database
        private var prepared = [Statement?](repeating: nil, count: Kind.allCases.count)

        init(_ db: Database) {
            self.db = db
        }

        func execute(_ kind: Kind, _ arguments: StatementArguments) throws {
            let statement = try statement(kind)
            do { try statement.execute(arguments: arguments) } catch {
                prepared[kind.rawValue] = nil
                throw error
            }
        }

        func fetchString(_ kind: Kind, _ arguments: StatementArguments) throws -> String? {
            let statement = try statement(kind)
            do { return try String.fetchOne(statement, arguments: arguments) } catch {
                prepared[kind.rawValue] = nil
                throw error
            }
        }

        private func statement(_ kind: Kind) throws -> Statement {
            if let statement = prepared[kind.rawValue] { return statement }
            let statement = try db.makeStatement(sql: kind.sql)
            prepared[kind.rawValue] = statement
            return statement
        }
    }

    /// Leaves with their index, ready to insert: an index out of JSON's exact range is the only
    /// way a prepared record can be refused, so this runs before the job writes anything.
    private struct EncodedLeaf {
        let prepared: PreparedRecord
        let index: UInt64
        let bytes: [UInt8]
    }

    private func encode(_ records: [PreparedRecord], from size: UInt64) throws(JobFailure) -> [EncodedLeaf] {
        var leaves: [EncodedLeaf] = []
        leaves.reserveCapacity(records.count)
        for (offset, prepared) in records.enumerated() {
            let index = size + UInt64(offset)
            do { leaves.append(EncodedLeaf(prepared: prepared, index: index, bytes: try prepared.leaf.bytes(index: index))) } catch {
                throw JobFailure(error: StoreError(.invalidRecord, "audit record refused: \(error)"))
            }
        }
        return leaves
    }

    private func perform(_ work: WriteWork, state: inout WriterState, statements: Statements, db: Database) throws -> WriteResult {
        switch work {
        case .accept(let submission, let records):
            let message = submission.message
            let leaves = try encode(records, from: state.head.size)
            do {
                try statements.execute(.message, [
                    message.id.rawValue, message.sender.rawValue, message.sdJWT, message.submissionDigest,
                    AuditTime.milliseconds(message.receivedAt), AuditTime.milliseconds(message.retainUntil),
                ])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // INVARIANT: the first write of the job; SQLite undid this statement alone.
                throw JobFailure(error: StoreError(.duplicateMessage, "message \(message.id) was already accepted"))
            }
            let updated = AuditTime.milliseconds(now)
            for delivery in submission.deliveries {
                let columns: [(any DatabaseValueConvertible)?] = [
                    delivery.id.rawValue, message.id.rawValue, delivery.recipient.rawValue, delivery.state.rawValue, updated,
                    delivery.state.isInInbox ? state.nextInboxSequence() : nil,
                ]
                try statements.execute(.delivery, StatementArguments(columns + EnvelopeColumns.values(delivery.envelope)))
            }
            return .leaves(try insert(leaves, state: &state, statements: statements))
        case .append(let records):
            return .leaves(try insert(try encode(records, from: state.head.size), state: &state, statements: statements))
        case .recordPush(let record):
            try statements.execute(.push, [
                record.deliveryID.rawValue, record.recipient.rawValue, record.state.rawValue, AuditTime.milliseconds(record.firstAttempt),
                AuditTime.milliseconds(record.lastAttempt), record.attempts, AuditTime.milliseconds(record.nextAttempt), record.lastFailure,
            ])
            return .leaves([])
        case .rotateAuditKey(let signer, let record):
            guard state.signer != nil, state.rotatingTo == nil else {
                throw JobFailure(error: StoreError(.invalidRecord, "one audit key rotation at a time, on a store that signs"))
            }
            let leaves = try insert(try encode([record], from: state.head.size), state: &state, statements: statements)
            state.rotatingTo = signer
            return .leaves(leaves)
        case .updateDelivery(let update, let records):
            let leaves = try encode(records, from: state.head.size)
            guard let current = try statements.fetchString(.deliveryState, [update.deliveryID.rawValue]),
                  let from = DeliveryState(rawValue: current) else {
                throw JobFailure(error: StoreError(.unknownDelivery, "no delivery \(update.deliveryID)"))
            }
            guard from.canMove(to: update.state) else {
                throw JobFailure(error: StoreError(.invalidTransition,
                                                   "delivery \(update.deliveryID) cannot move from \(from.rawValue) to \(update.state.rawValue)"))
            }
            let available = !from.isInInbox && update.state.isInInbox ? state.nextInboxSequence() : nil
            try statements.execute(.updateDelivery, [update.state.rawValue, update.countsAsAttempt ? 1 : 0,
                                 AuditTime.milliseconds(now), available, update.deliveryID.rawValue])
            return .leaves(try insert(leaves, state: &state, statements: statements))
        case .activateAgreementSet(let activation, let records):
            if activation.onlyIfNoneRecorded, try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM agreement_set)") == true {
                throw JobFailure(error: AgreementSetActivation.alreadyRecorded)
            }
            let leaves = try insert(try encode(records, from: state.head.size), state: &state, statements: statements)
            try statements.execute(.agreementSet, [activation.digest, Data(activation.content), activation.activatedBy,
                                 AuditTime.milliseconds(activation.activatedAt), leaves.first.map(Int64.init)])
            return .agreementSet(version: db.lastInsertedRowID, leaves: leaves)
        case .purge(let cutoff, let purgedAt):
            let cutoffMs = AuditTime.milliseconds(cutoff)
            try statements.execute(.purgePush, [])
            try statements.execute(.purgePresentations, [cutoffMs])
            try statements.execute(.purgeMessages, [AuditTime.milliseconds(purgedAt), cutoffMs])
            return .purged(db.changesCount)
        case .checkpoint:
            return .checkpoint(nil)
        }
    }

    /// Inserts encoded leaves and extends the tree: each leaf is hashed once, and that hash
    /// both goes into its row and extends the incremental tree head.
    private func insert(_ leaves: [EncodedLeaf], state: inout WriterState, statements: Statements) throws -> [UInt64] {
        var indexes: [UInt64] = []
        indexes.reserveCapacity(leaves.count)
        for leaf in leaves {
            precondition(leaf.index == state.head.size, "leaves are inserted in the order they were encoded")
            let hash = hasher.leafHash(leaf.bytes)
            let row = Int64(leaf.index)
            let columns = leaf.prepared.columns
            try statements.execute(.leaf, [row, Data(leaf.bytes), Data(hash), columns.timeMilliseconds, columns.event,
                                           columns.actor, columns.messageID, columns.agreementID])
            for agency in columns.parties {
                try statements.execute(.party, [row, agency])
            }
            for subject in columns.subjects {
                try statements.execute(.subject, [row, subject.type, subject.hmac])
            }
            state.head.append(leafHash: hash, using: hasher)
            indexes.append(leaf.index)
        }
        return indexes
    }

    private func writeCheckpoint(state: inout WriterState, statements: Statements, db: Database) throws -> StoredCheckpoint {
        guard let signer = state.signer else { throw StoreError(.corruptState, "no checkpoint signer configured") }
        let root = state.head.root(using: hasher)
        let note = try Checkpoint(origin: configuration.origin, size: state.head.size, rootHash: root)
            .signed(by: [signer] + (state.rotatingTo.map { [$0] } ?? [])).encoded
        try statements.execute(.checkpoint, [Int64(state.head.size), Data(root), note, AuditTime.milliseconds(now)])
        state.checkpointSize = state.head.size
        state.checkpointTime = now
        return StoredCheckpoint(sequence: db.lastInsertedRowID, size: state.head.size, rootHash: root, note: note, createdAt: now)
    }

    /// Errors after which SQLite rolls back the whole transaction by itself.
    static func abortsTransaction(_ error: DatabaseError) -> Bool {
        [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_NOMEM, .SQLITE_BUSY].contains(error.resultCode)
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_CONSTRAINT {
            return StoreError(.invalidRecord, "refused by the database: \(error.message ?? "\(error)")")
        }
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            return StoreError(.storageFull, "the database's disk is full; the transaction was rolled back")
        }
        return StoreError(.databaseFailed, "\(error)")
    }
}
