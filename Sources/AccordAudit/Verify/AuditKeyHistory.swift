/// The keys that have signed a log's checkpoints, in order, and which checkpoint each may sign
/// (docs/audit.md, "Rotating the audit key"). Each rotation is an `audit.key_rotated` leaf at
/// index `r` naming the old and the new verifier key; the first checkpoint larger than `r` is
/// signed by both, so each key vouches for the next and the one before. A checkpoint of size
/// `s` is then checked against the key in force at `s`: the last whose rotation leaf lies
/// below `s`; the first checkpoint after a rotation must carry the old key's signature too.
///
/// A verifier trusts one key of the chain, whichever it holds (the first, or today's); the
/// chain's links make the rest follow. The rotation leaves themselves are authenticated with
/// the rest of the log, by the roots their checkpoints sign.
public struct AuditKeyHistory: Sendable {
    /// One rotation, as its leaf records it.
    public struct Rotation: Sendable, Equatable {
        public let leafIndex: UInt64
        public let old: String
        public let new: String

        public init(leafIndex: UInt64, old: String, new: String) {
            self.leafIndex = leafIndex
            self.old = old
            self.new = new
        }
    }

    /// The keys in order of use.
    public let keys: [NoteVerifier]
    /// Rotation `i` replaced `keys[i]` by `keys[i + 1]`.
    public let rotations: [Rotation]

    /// A log whose checkpoints one key has signed throughout.
    public init(trusted: NoteVerifier) {
        self.init(keys: [trusted], rotations: [])
    }

    private init(keys: [NoteVerifier], rotations: [Rotation]) {
        self.keys = keys
        self.rotations = rotations
    }

    /// The history of a log whose rotations are `rotations`, trusted through `trusted`, which
    /// must be one of its keys; throws, naming the break, if the chain does not link.
    public init(trusted: NoteVerifier, rotations: [Rotation]) throws(AuditError) {
        let ordered = rotations.sorted { $0.leafIndex < $1.leafIndex }
        guard let first = ordered.first else {
            self.init(trusted: trusted)
            return
        }
        var keys = [try NoteVerifier(verifierKey: first.old)]
        for rotation in ordered {
            guard rotation.old == keys[keys.count - 1].verifierKey else {
                throw AuditError(.unknownKey, "the audit key rotation at leaf \(rotation.leafIndex) replaces \(rotation.old), which was not the key in force")
            }
            keys.append(try NoteVerifier(verifierKey: rotation.new))
        }
        guard keys.contains(where: { $0.verifierKey == trusted.verifierKey }) else {
            throw AuditError(.unknownKey, "the trusted key \(trusted.verifierKey) is none of the keys the log's rotations name")
        }
        self.init(keys: keys, rotations: ordered)
    }

    /// For each rotation, the size of the first checkpoint after its leaf (the one both keys
    /// sign), among `sizes`, every checkpoint size of the log: one pass, whatever their number.
    func overlaps(among sizes: [UInt64]) -> [UInt64?] {
        var first = [UInt64?](repeating: nil, count: rotations.count)
        for size in sizes {
            for (position, rotation) in rotations.enumerated() where size > rotation.leafIndex {
                if first[position].map({ size < $0 }) ?? true { first[position] = size }
            }
        }
        return first
    }

    /// The keys whose signatures a checkpoint of `size` must carry: the key in force, and also
    /// the previous one for the first checkpoint after a rotation (`overlaps`).
    func requiredKeys(forSize size: UInt64, overlaps: [UInt64?]) -> [NoteVerifier] {
        let epoch = rotations.lastIndex { $0.leafIndex < size }.map { $0 + 1 } ?? 0
        guard epoch > 0 else { return [keys[0]] }
        return overlaps[epoch - 1] == size ? [keys[epoch - 1], keys[epoch]] : [keys[epoch]]
    }

    /// Opens a checkpoint note of this log once every key `requiredKeys` names for its size
    /// has signed it; `sizes` are the sizes of all the log's checkpoints.
    public func open(_ note: String, sizes: [UInt64]) throws(AuditError) -> Checkpoint {
        let signed = try SignedNote(parsing: note)
        let checkpoint = try Checkpoint(text: signed.text)
        for key in requiredKeys(forSize: checkpoint.size, overlaps: overlaps(among: sizes)) { _ = try signed.verifiedText(by: key) }
        return checkpoint
    }
}
