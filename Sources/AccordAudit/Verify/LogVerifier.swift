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
    private var pending: [(size: UInt64, root: [UInt8])] = []
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
        var parsed: [(stored: StoredCheckpoint, note: SignedNote, checkpoint: Checkpoint)] = []
        for stored in checkpoints {
            do {
                let note = try SignedNote(parsing: stored.note)
                parsed.append((stored, note, try Checkpoint(text: note.text)))
            } catch {
                divergence = .checkpointForged(sequence: stored.sequence, reason: error.description)
                return
            }
        }
        let overlaps = history.overlaps(among: parsed.map(\.checkpoint.size))
        var bySize: [UInt64: [UInt8]] = [:]
        for (stored, note, checkpoint) in parsed {
            for key in history.requiredKeys(forSize: checkpoint.size, overlaps: overlaps) {
                do { _ = try note.verifiedText(by: key) } catch {
                    divergence = .checkpointForged(sequence: stored.sequence, reason: error.description)
                    return
                }
            }
            guard checkpoint.origin == origin else {
                divergence = .checkpointOrigin(sequence: stored.sequence, expected: origin, found: checkpoint.origin)
                return
            }
            if let earlier = bySize[checkpoint.size], earlier != checkpoint.rootHash {
                divergence = .checkpointFork(size: checkpoint.size, firstRoot: earlier, secondRoot: checkpoint.rootHash)
                return
            }
            bySize[checkpoint.size] = checkpoint.rootHash
        }
        pending = bySize.sorted { $0.key > $1.key }.map { ($0.key, $0.value) }
        checkEmptyTree()
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
        if let next = pending.last, next.size == head.size {
            let root = head.root(using: hasher)
            guard root == next.root else {
                divergence = .rootMismatch(size: next.size, expected: next.root, found: root)
                return divergence
            }
            pending.removeLast()
            verifiedCount += 1
        }
        return nil
    }

    public mutating func finish() -> Outcome {
        if let divergence { return .diverged(divergence) }
        if let next = pending.last { return .diverged(.truncated(checkpointSize: next.size, leafCount: head.size)) }
        return .verified(Summary(
            leafCount: head.size, checkpointsVerified: verifiedCount,
            latestCheckpointSize: latestSize, root: head.root(using: hasher)
        ))
    }

    private var latestSize: UInt64 = 0

    private mutating func checkEmptyTree() {
        latestSize = pending.first?.size ?? 0
        if let next = pending.last, next.size == 0 {
            guard next.root == TreeHasher.emptyRoot else {
                divergence = .rootMismatch(size: 0, expected: next.root, found: TreeHasher.emptyRoot)
                return
            }
            pending.removeLast()
            verifiedCount += 1
        }
    }
}
