import AccordCore

/// Verifies a whole stored log in one pass: recomputes every leaf hash and the tree, checks
/// every checkpoint's signature, and compares each checkpoint's root with the tree
/// recomputed at its size. Checkpoints whose roots match the recomputed prefixes of one leaf
/// sequence are thereby consistent with one another, a stronger check than a consistency
/// proof between them. Free of I/O: the caller streams leaves in index order.
public struct LogVerifier {
    /// A stored checkpoint note with its storage sequence number, for reporting.
    public struct StoredCheckpoint: Sendable {
        public let sequence: Int64
        public let note: String

        public init(sequence: Int64, note: String) {
            self.sequence = sequence
            self.note = note
        }
    }

    /// What a completed verification established.
    public struct Summary: Sendable, Equatable {
        public let leafCount: UInt64
        public let checkpointsVerified: Int
        public let latestCheckpointSize: UInt64
        public let root: [UInt8]
        /// Leaves whose search columns disagree with them, the first `IndexMismatch.reported`
        /// of them; checked where the storage keeps such columns.
        public var indexMismatches: [IndexMismatch] = []
        /// How many leaves disagree in all.
        public var indexMismatchCount = 0

        /// Whether the log verified and every search column agrees with its leaf.
        public var isClean: Bool { indexMismatchCount == 0 }
    }

    /// Verified, or the first divergence.
    public enum Outcome: Sendable, Equatable {
        case verified(Summary)
        case diverged(Divergence)
    }

    private let hasher = TreeHasher()
    private var head = TreeHead()
    private var origin = ""
    private var history: AuditKeyHistory?
    /// Checkpoints given and not yet reached by the leaves, in ascending size from `nextPending`.
    private var pending: [(size: UInt64, root: [UInt8])] = []
    private var nextPending = 0
    /// The size and root of the last checkpoint given: a second one of that size must agree.
    private var lastGiven: (size: UInt64, root: [UInt8])?
    /// For each audit key rotation, the first checkpoint after it, which both keys must sign;
    /// known once a checkpoint above the rotation has been given.
    private var overlaps: [UInt64?] = []
    private var verifiedCount = 0
    private var divergence: Divergence?

    public init(origin: String, verifier: NoteVerifier, checkpoints: [StoredCheckpoint]) {
        self.init(origin: origin, history: AuditKeyHistory(trusted: verifier), checkpoints: checkpoints)
    }

    /// A verifier that has already failed: the key history itself did not hold.
    public init(failed divergence: Divergence) {
        self.divergence = divergence
    }

    /// Checks each checkpoint against the keys `history` says were in force at its size.
    public init(origin: String, history: AuditKeyHistory, checkpoints: [StoredCheckpoint]) {
        self.init(origin: origin, history: history)
        var sized: [(size: UInt64, stored: StoredCheckpoint)] = []
        for stored in checkpoints {
            do { sized.append((try Checkpoint(text: try SignedNote(parsing: stored.note).text).size, stored)) } catch {
                divergence = .checkpointForged(sequence: stored.sequence, reason: error.description)
                return
            }
        }
        add(sized.sorted { ($0.size, $0.stored.sequence) < ($1.size, $1.stored.sequence) }.map(\.stored))
    }

    /// A verifier given the checkpoints a page at a time (`add`), so that memory does not grow
    /// with the number of checkpoints, which grows with the log's age (docs/audit.md).
    public init(origin: String, history: AuditKeyHistory) {
        self.origin = origin
        self.history = history
        overlaps = [UInt64?](repeating: nil, count: history.rotations.count)
    }

    /// More checkpoints, in ascending size after those given before, each given before the
    /// leaf that completes its size is consumed. Each is opened with the keys in force at its
    /// size; one whose size the leaves have already passed, or smaller than one given before,
    /// is a caller's mistake and reported as a forged checkpoint.
    public mutating func add(_ checkpoints: [StoredCheckpoint]) {
        guard divergence == nil, let history else { return }
        for stored in checkpoints {
            let note: SignedNote
            let checkpoint: Checkpoint
            do {
                note = try SignedNote(parsing: stored.note)
                checkpoint = try Checkpoint(text: note.text)
            } catch {
                divergence = .checkpointForged(sequence: stored.sequence, reason: error.description)
                return
            }
            let size = checkpoint.size
            guard size >= (lastGiven?.size ?? 0), size > head.size || (size == 0 && head.size == 0) else {
                divergence = .checkpointForged(sequence: stored.sequence, reason: "checkpoint of size \(size) given out of order")
                return
            }
            for (position, rotation) in history.rotations.enumerated() where size > rotation.leafIndex && overlaps[position] == nil {
                overlaps[position] = size
            }
            for key in history.requiredKeys(forSize: size, overlaps: overlaps) {
                do { _ = try note.verifiedText(by: key) } catch {
                    divergence = .checkpointForged(sequence: stored.sequence, reason: error.description)
                    return
                }
            }
            guard checkpoint.origin == origin else {
                divergence = .checkpointOrigin(sequence: stored.sequence, expected: origin, found: checkpoint.origin)
                return
            }
            if let lastGiven, lastGiven.size == size {
                if lastGiven.root != checkpoint.rootHash {
                    divergence = .checkpointFork(size: size, firstRoot: lastGiven.root, secondRoot: checkpoint.rootHash)
                    return
                }
                continue
            }
            lastGiven = (size, checkpoint.rootHash)
            latestSize = size
            if size == 0 {
                guard checkpoint.rootHash == TreeHasher.emptyRoot else {
                    divergence = .rootMismatch(size: 0, expected: checkpoint.rootHash, found: TreeHasher.emptyRoot)
                    return
                }
                verifiedCount += 1
                continue
            }
            if nextPending > 1_024, nextPending * 2 > pending.count {
                pending.removeFirst(nextPending)
                nextPending = 0
            }
            pending.append((size, checkpoint.rootHash))
        }
    }

    /// The next stored leaf; returns the divergence once one is found, and then stops.
    @discardableResult
    public mutating func consume(index: UInt64, leaf: [UInt8], storedHash: [UInt8]) -> Divergence? {
        leaf.withUnsafeBytes { leaf in
            storedHash.withUnsafeBytes { storedHash in consume(index: index, leaf: leaf, storedHash: storedHash) }
        }
    }

    /// The next stored leaf, read in place (from a database row, say): nothing is copied.
    @discardableResult
    public mutating func consume(index: UInt64, leaf: UnsafeRawBufferPointer, storedHash: UnsafeRawBufferPointer) -> Divergence? {
        guard divergence == nil else { return divergence }
        guard index == head.size else {
            divergence = .leafMissing(index: head.size, found: index)
            return divergence
        }
        let computed = hasher.leafHash(leaf)
        guard computed.equals(storedHash) else {
            divergence = .leafHashMismatch(index: index, expected: Array(storedHash), found: computed.bytes)
            return divergence
        }
        let recorded = LeafIndexScanner.index(in: leaf)
        guard recorded == Int64(index) else {
            divergence = .leafMisplaced(index: index, recorded: recorded)
            return divergence
        }
        head.append(computed, using: hasher)
        if nextPending < pending.count, pending[nextPending].size == head.size {
            let next = pending[nextPending]
            let root = head.root(using: hasher)
            guard root == next.root else {
                divergence = .rootMismatch(size: next.size, expected: next.root, found: root)
                return divergence
            }
            nextPending += 1
            verifiedCount += 1
        }
        return nil
    }

    public mutating func finish() -> Outcome {
        if let divergence { return .diverged(divergence) }
        if nextPending < pending.count {
            return .diverged(.truncated(checkpointSize: pending[pending.count - 1].size, leafCount: head.size))
        }
        return .verified(Summary(
            leafCount: head.size, checkpointsVerified: verifiedCount,
            latestCheckpointSize: latestSize, root: head.root(using: hasher)
        ))
    }

    private var latestSize: UInt64 = 0
}
