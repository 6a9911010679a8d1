import AccordAudit
import AccordPostgres
import Foundation

/// Applies one batch of work inside one open PostgreSQL transaction, the counterpart of
/// `BatchApplier`. It begins by locking the `tree_state` row: every node's writer does, so
/// leaves and inbox sequences are given in the order transactions commit.
///
/// In `.grouped` mode, a refusal found before writing (a duplicate message, an unknown
/// delivery, a forbidden move) fails its job alone; any other failure of a job throws
/// `IsolationNeeded`, and the batch is run again `.isolated`, a savepoint per job.
struct PostgresBatch: Sendable {
    enum Mode {
        case grouped
        case isolated
    }

    struct IsolationNeeded: Error {}

    private struct JobFailure: Error {
        let error: StoreError
    }

    /// The tree and counters the batch extends, read under the row lock.
    private struct State {
        var head: TreeHead
        var inboxSequence: Int64
        /// The key this node signs with, nil when it may not sign: none given, or not the key in force.
        var signer: NoteSigner?
        /// The verifier key of the key in force (`tree_state.audit_key`), nil before the first rotation.
        var keyInForce: String?
        /// The key a rotation in this batch hands signing over to.
        var rotatingTo: NoteSigner?

        mutating func nextInboxSequence() -> Int64 {
            inboxSequence += 1
            return inboxSequence
        }
    }

    /// What a batch did beyond its results.
    struct Applied {
        var results: [Result<WriteResult, StoreError>]
        /// Whether the lease row still named this node when a checkpoint was considered (nil when none was).
        var leaseConfirmed: Bool?
        /// The key this node signs with from now on, when a rotation (here or recorded by
        /// another node) changed it.
        var signer: NoteSigner?
    }

    let configuration: StoreConfiguration
    let now: Date
    let node: String
    /// The key this node signs checkpoints with now (`configuration.signer` until a rotation).
    let signer: NoteSigner?
    private var hasher: TreeHasher { TreeHasher() }

    init(configuration: StoreConfiguration, now: Date, node: String, signer: NoteSigner?) {
        self.configuration = configuration
        self.now = now
        self.node = node
        self.signer = signer
    }

    func apply(_ works: [WriteWork], mode: Mode, _ transaction: PGTransaction) throws -> Applied {
        guard let row = try transaction.execute(PostgresStatements.lockTree).rows.first,
              let size = try row.int(0), let edgeBytes = try row.bytes(1), let inbox = try row.int(2) else {
            throw StoreError(.corruptState, "the tree_state row is missing; the schema was not migrated")
        }
        let keyInForce = try row.string(3)
        let edge = stride(from: 0, to: edgeBytes.count, by: 32).map { Array(edgeBytes[$0 ..< min($0 + 32, edgeBytes.count)]) }
        // A node whose key another node rotated away signs nothing until it has the new key:
        // a checkpoint signed by the old key alone after the rotation would not verify.
        let mayUse = signer.map { keyInForce == nil || $0.verifier.verifierKey == keyInForce } ?? false
        let initial: State
        do {
            initial = State(head: try TreeHead(size: UInt64(size), edge: edge), inboxSequence: inbox, signer: mayUse ? signer : nil,
                            keyInForce: keyInForce)
        } catch {
            throw StoreError(.corruptState, "tree_state does not hold a tree head of size \(size): \(error)")
        }
        var state = initial
        var results: [Result<WriteResult, StoreError>] = []
        results.reserveCapacity(works.count)
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
                    results.append(.success(try perform(work, state: &state, transaction)))
                } catch let failure as JobFailure {
                    state = before
                    results.append(.failure(failure.error))
                } catch let error as PGError where error.kind == .server {
                    throw IsolationNeeded()
                }
            case .isolated:
                _ = try transaction.execute("SAVEPOINT job")
                do {
                    results.append(.success(try perform(work, state: &state, transaction)))
                    _ = try transaction.execute("RELEASE SAVEPOINT job")
                } catch let error as PGError where error.kind == .connection {
                    throw error
                } catch {
                    _ = try transaction.execute("ROLLBACK TO SAVEPOINT job")
                    state = before
                    results.append(.failure(PostgresStore.storeError((error as? JobFailure)?.error ?? error)))
                }
            }
        }
        let adopted = state.signer.flatMap { $0.verifier.verifierKey == signer?.verifier.verifierKey ? nil : $0 }
        var applied = Applied(results: results, signer: adopted)
        let checkpointed = try transaction.execute(PostgresStatements.lastCheckpointSize).rows.first?.int(0) ?? 0
        let due = state.head.size - UInt64(checkpointed) >= configuration.checkpointEveryLeaves
        if let next = state.rotatingTo {
            // The rotation's checkpoint, signed by both keys, whoever holds the lease: the
            // tree_state lock keeps every other writer out until this one commits.
            let checkpoint = try writeCheckpoint(state: state, transaction)
            for (position, work) in works.enumerated() {
                if case .checkpoint = work { applied.results[position] = .success(.checkpoint(checkpoint)) }
                if case .rotateAuditKey = work, case .success(.leaves(let leaves)) = applied.results[position], let leaf = leaves.first {
                    applied.results[position] = .success(.rotation(leaf: leaf, checkpoint: checkpoint))
                }
            }
            _ = try transaction.execute(PostgresStatements.saveAuditKey, [.text(next.verifier.verifierKey)])
            applied.signer = next
        } else if state.head.size > UInt64(checkpointed), checkpointRequested || due, state.signer != nil {
            let holds = try transaction.execute(PostgresStatements.leaseHeld, [.text(node)]).rows.first?.bool(0) ?? false
            applied.leaseConfirmed = holds
            if holds {
                let checkpoint = try writeCheckpoint(state: state, transaction)
                for (position, work) in works.enumerated() {
                    if case .checkpoint = work { applied.results[position] = .success(.checkpoint(checkpoint)) }
                }
            }
        }
        if state.head.size != initial.head.size || state.inboxSequence != initial.inboxSequence {
            _ = try transaction.execute(PostgresStatements.saveTree, [.int(Int64(state.head.size)), .bytes(Array(state.head.edge.joined())),
                                                              .int(state.inboxSequence)])
        }
        return applied
    }

    private struct EncodedLeaf {
        let prepared: PreparedRecord
        let index: UInt64
        let bytes: [UInt8]
    }

    private func encode(_ records: [PreparedRecord], from size: UInt64) throws(JobFailure) -> [EncodedLeaf] {
        var leaves: [EncodedLeaf] = []
        for (offset, prepared) in records.enumerated() {
            let index = size + UInt64(offset)
            do { leaves.append(EncodedLeaf(prepared: prepared, index: index, bytes: try prepared.leaf.bytes(index: index))) } catch {
                throw JobFailure(error: StoreError(.invalidRecord, "audit record refused: \(error)"))
            }
        }
        return leaves
    }

    private func perform(_ work: WriteWork, state: inout State, _ transaction: PGTransaction) throws -> WriteResult {
        switch work {
        case .accept(let submission, let records):
            let message = submission.message
            let leaves = try encode(records, from: state.head.size)
            // ON CONFLICT answers a duplicate with no row instead of an error, which would abort
            // the whole transaction: the resubmission fails alone, having written nothing.
            let inserted = try transaction.execute(PostgresStatements.message, [
                .id(message.id), .id(message.sender), .text(message.sdJWT), .text(message.submissionDigest),
                .int(AuditTime.milliseconds(message.receivedAt)), .int(AuditTime.milliseconds(message.retainUntil)),
            ])
            guard !inserted.rows.isEmpty else {
                throw JobFailure(error: StoreError(.duplicateMessage, "message \(message.id) was already accepted"))
            }
            let updated = AuditTime.milliseconds(now)
            for delivery in submission.deliveries {
                let available: PGValue = delivery.state.isInInbox ? .int(state.nextInboxSequence()) : .null
                _ = try transaction.execute(PostgresStatements.delivery, [
                    .id(delivery.id), .id(message.id), .id(delivery.recipient), .text(delivery.state.rawValue), .int(updated), available,
                ] + PostgresRows.envelopeValues(delivery.envelope))
            }
            return .leaves(try insert(leaves, state: &state, transaction))
        case .append(let records):
            return .leaves(try insert(try encode(records, from: state.head.size), state: &state, transaction))
        case .recordPush(let record):
            _ = try transaction.execute(PostgresStatements.push, [
                .id(record.deliveryID), .id(record.recipient), .text(record.state.rawValue),
                .int(AuditTime.milliseconds(record.firstAttempt)), .int(AuditTime.milliseconds(record.lastAttempt)),
                .int(Int64(record.attempts)), .int(AuditTime.milliseconds(record.nextAttempt)), record.lastFailure.map(PGValue.text) ?? .null,
            ])
            return .leaves([])
        case .rotateAuditKey(let next, let record):
            if next.verifier.verifierKey == state.keyInForce {
                return try adopt(next, state: &state, transaction)
            }
            guard state.signer != nil, state.rotatingTo == nil else {
                throw JobFailure(error: StoreError(.invalidRecord, """
                    the audit key in force is \(state.keyInForce ?? "another"), not this node's: one rotation at a time, \
                    by a node whose key signs the log now
                    """))
            }
            let leaves = try insert(try encode([record], from: state.head.size), state: &state, transaction)
            state.rotatingTo = next
            return .leaves(leaves)
        case .updateDelivery(let update, let records):
            let leaves = try encode(records, from: state.head.size)
            guard let current = try transaction.execute(PostgresStatements.deliveryState, [.id(update.deliveryID)]).rows.first?.string(0),
                  let from = DeliveryState(rawValue: current) else {
                throw JobFailure(error: StoreError(.unknownDelivery, "no delivery \(update.deliveryID)"))
            }
            guard from.canMove(to: update.state) else {
                throw JobFailure(error: StoreError(.invalidTransition,
                                                   "delivery \(update.deliveryID) cannot move from \(from.rawValue) to \(update.state.rawValue)"))
            }
            let available: PGValue = !from.isInInbox && update.state.isInInbox ? .int(state.nextInboxSequence()) : .null
            _ = try transaction.execute(PostgresStatements.updateDelivery, [.text(update.state.rawValue), .int(update.countsAsAttempt ? 1 : 0),
                                                                    .int(AuditTime.milliseconds(now)), available, .id(update.deliveryID)])
            return .leaves(try insert(leaves, state: &state, transaction))
        case .activateAgreementSet(let activation, let records):
            // Under the tree_state lock every node's writer holds, so no other node records a
            // set between this check and the insert.
            if activation.onlyIfNoneRecorded, try transaction.execute(PostgresStatements.anyAgreementSet).rows.first?.bool(0) == true {
                throw JobFailure(error: AgreementSetActivation.alreadyRecorded)
            }
            let leaves = try insert(try encode(records, from: state.head.size), state: &state, transaction)
            let version = try transaction.execute(PostgresStatements.agreementSet, [
                .text(activation.digest), .bytes(activation.content), .text(activation.activatedBy),
                .int(AuditTime.milliseconds(activation.activatedAt)), leaves.first.map { .int(Int64($0)) } ?? .null,
            ]).rows.first?.int(0) ?? 0
            // Delivered to the other nodes' listeners when this transaction commits.
            _ = try transaction.execute("SELECT pg_notify($1, $2)", [.text(PostgresStore.agreementChannel), .text(activation.digest)])
            return .agreementSet(version: version, leaves: leaves)
        case .purge(let cutoff, let purgedAt):
            let cutoffMs = AuditTime.milliseconds(cutoff)
            _ = try transaction.execute(PostgresStatements.purgePush)
            _ = try transaction.execute(PostgresStatements.purgePresentations, [.int(cutoffMs)])
            let purged = try transaction.execute(PostgresStatements.purgeMessages, [.int(AuditTime.milliseconds(purgedAt)), .int(cutoffMs)])
            return .purged(purged.affectedRows)
        case .checkpoint:
            return .checkpoint(nil)
        }
    }

    private func insert(_ leaves: [EncodedLeaf], state: inout State, _ transaction: PGTransaction) throws -> [UInt64] {
        var indexes: [UInt64] = []
        for leaf in leaves {
            precondition(leaf.index == state.head.size, "leaves are inserted in the order they were encoded")
            let hash = hasher.leafHash(leaf.bytes)
            let row = Int64(leaf.index)
            let columns = leaf.prepared.columns
            _ = try transaction.execute(PostgresStatements.leaf, [
                .int(row), .bytes(leaf.bytes), .bytes(hash), .int(columns.timeMilliseconds), .text(columns.event), .text(columns.actor),
                columns.messageID.map(PGValue.text) ?? .null, columns.agreementID.map(PGValue.text) ?? .null,
            ])
            for agency in columns.parties {
                _ = try transaction.execute(PostgresStatements.party, [.int(row), .text(agency)])
            }
            for subject in columns.subjects {
                _ = try transaction.execute(PostgresStatements.subject, [.int(row), .text(subject.type), .text(subject.hmac)])
            }
            state.head.append(leafHash: hash, using: hasher)
            indexes.append(leaf.index)
        }
        return indexes
    }

    /// Another node (or `accord keys rotate audit`) recorded the rotation to `next` already: this
    /// node signs with it from now on, and the rotation it names is the one recorded.
    private func adopt(_ next: NoteSigner, state: inout State, _ transaction: PGTransaction) throws -> WriteResult {
        guard let leaf = try transaction.execute(PostgresStatements.lastRotation).rows.first?.int(0),
              let checkpoint = try transaction.execute(PostgresStatements.latestCheckpoint).rows.first.map(PostgresRows.checkpoint) else {
            throw JobFailure(error: StoreError(.corruptState, "tree_state names an audit key that no audit.key_rotated leaf and checkpoint record"))
        }
        state.signer = next
        return .rotation(leaf: UInt64(leaf), checkpoint: checkpoint)
    }

    private func writeCheckpoint(state: State, _ transaction: PGTransaction) throws -> StoredCheckpoint {
        guard let signer = state.signer else { throw StoreError(.corruptState, "no checkpoint signer configured") }
        let root = state.head.root(using: hasher)
        let note = try Checkpoint(origin: configuration.origin, size: state.head.size, rootHash: root)
            .signed(by: [signer] + (state.rotatingTo.map { [$0] } ?? [])).encoded
        let sequence = try transaction.execute(PostgresStatements.checkpoint, [.int(Int64(state.head.size)), .bytes(root), .text(note),
                                                                       .int(AuditTime.milliseconds(now))]).rows.first?.int(0) ?? 0
        return StoredCheckpoint(sequence: sequence, size: state.head.size, rootHash: root, note: note, createdAt: now)
    }
}

/// The writer's statements, prepared once on each connection that runs them.
enum PostgresStatements {
    static let lockTree = PGStatement("SELECT size, edge, inbox_seq, audit_key FROM tree_state WHERE id = 1 FOR UPDATE")
    static let saveAuditKey = PGStatement("UPDATE tree_state SET audit_key = $1 WHERE id = 1")
    static let lastRotation = PGStatement("SELECT max(idx) FROM audit_leaf WHERE event = 'audit.key_rotated'")
    static let latestCheckpoint = PGStatement("SELECT * FROM audit_checkpoint ORDER BY seq DESC LIMIT 1")
    static let saveTree = PGStatement("UPDATE tree_state SET size = $1, edge = $2, inbox_seq = $3 WHERE id = 1")
    static let lastCheckpointSize = PGStatement("SELECT coalesce(max(size), 0) FROM audit_checkpoint")
    static let leaseHeld = PGStatement("SELECT holder = $1 AND expires_at > now() FROM checkpoint_lease WHERE id = 1")
    static let message = PGStatement("""
        INSERT INTO message (id, sender, sd_jwt, submission_digest, received_ms, retain_until_ms)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id
        """)
    static let delivery = PGStatement("""
        INSERT INTO delivery (id, message_id, recipient, state, attempts, updated_ms, available_seq, \(EnvelopeColumns.names))
        VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
        """)
    static let leaf = PGStatement("""
        INSERT INTO audit_leaf (idx, leaf, leaf_hash, time_ms, event, actor, message_id, agreement_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
    static let party = PGStatement("INSERT INTO audit_party (idx, agency) VALUES ($1, $2)")
    static let subject = PGStatement("INSERT INTO audit_subject (idx, type, hmac) VALUES ($1, $2, $3)")
    static let deliveryState = PGStatement("SELECT state FROM delivery WHERE id = $1 FOR UPDATE")
    static let updateDelivery = PGStatement("""
        UPDATE delivery SET state = $1, attempts = attempts + $2, updated_ms = $3, available_seq = coalesce($4, available_seq) WHERE id = $5
        """)
    static let anyAgreementSet = PGStatement("SELECT EXISTS (SELECT 1 FROM agreement_set)")
    static let agreementSet = PGStatement("""
        INSERT INTO agreement_set (digest, content, activated_by, activated_ms, audit_leaf) VALUES ($1, $2, $3, $4, $5) RETURNING version
        """)
    // A message with a delivery still open keeps its text (as SQLite's BatchApplier).
    static let purgePresentations = PGStatement("""
        UPDATE delivery SET sd_jwt = NULL
        WHERE sd_jwt IS NOT NULL AND message_id IN
            (SELECT id FROM message WHERE sd_jwt IS NOT NULL AND retain_until_ms < $1
             AND NOT EXISTS (SELECT 1 FROM delivery AS other WHERE other.message_id = message.id
                             AND other.state IN (\(DeliveryState.openStates))))
        """)
    static let purgeMessages = PGStatement("""
        UPDATE message SET sd_jwt = NULL, purged_ms = $1 WHERE sd_jwt IS NOT NULL AND retain_until_ms < $2
        AND NOT EXISTS (SELECT 1 FROM delivery AS other WHERE other.message_id = message.id
                        AND other.state IN (\(DeliveryState.openStates)))
        """)
    static let purgePush = PGStatement("DELETE FROM push WHERE delivery_id IN (SELECT id FROM delivery WHERE state NOT IN (\(DeliveryState.openStates)))")
    static let checkpoint = PGStatement("INSERT INTO audit_checkpoint (size, root, note, created_ms) VALUES ($1, $2, $3, $4) RETURNING seq")
    static let push = PGStatement("""
        INSERT INTO push (delivery_id, recipient, state, first_attempt_ms, last_attempt_ms, attempts, next_attempt_ms, last_failure)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (delivery_id) DO UPDATE SET recipient = excluded.recipient, state = excluded.state,
            first_attempt_ms = excluded.first_attempt_ms, last_attempt_ms = excluded.last_attempt_ms,
            attempts = excluded.attempts, next_attempt_ms = excluded.next_attempt_ms, last_failure = excluded.last_failure
        """)
}
