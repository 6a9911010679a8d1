/// The first place where a stored log departs from what its leaves and signed checkpoints
/// prove, named exactly: which leaf or checkpoint, what was expected and what was found.
public enum Divergence: Sendable, Equatable, CustomStringConvertible {
    /// A checkpoint whose note does not parse or whose signature does not verify.
    case checkpointForged(sequence: Int64, reason: String)
    /// A checkpoint of another log.
    case checkpointOrigin(sequence: Int64, expected: String, found: String)
    /// Two signed checkpoints of the same size with different roots: a fork.
    case checkpointFork(size: UInt64, firstRoot: [UInt8], secondRoot: [UInt8])
    /// No row for leaf `index`; the next stored leaf was `found`.
    case leafMissing(index: UInt64, found: UInt64?)
    /// The stored leaf hash and the hash of the stored leaf bytes differ.
    case leafHashMismatch(index: UInt64, expected: [UInt8], found: [UInt8])
    /// The leaf at `index` says it was written as leaf `recorded`: rows were moved.
    case leafMisplaced(index: UInt64, recorded: Int64?)
    /// The root recomputed from the first `size` leaves differs from the signed checkpoint.
    case rootMismatch(size: UInt64, expected: [UInt8], found: [UInt8])
    /// A signed checkpoint covers more leaves than the log holds: it was truncated.
    case truncated(checkpointSize: UInt64, leafCount: UInt64)
    /// The audit key rotations recorded in the log do not link the trusted key to the others.
    case keyHistory(reason: String)

    public var description: String {
        switch self {
        case .checkpointForged(let sequence, let reason):
            "checkpoint #\(sequence) does not verify: \(reason)"
        case .checkpointOrigin(let sequence, let expected, let found):
            "checkpoint #\(sequence) is for log '\(found)', expected '\(expected)'"
        case .checkpointFork(let size, let first, let second):
            "two signed checkpoints of size \(size) disagree: root \(b64(first)) and \(b64(second))"
        case .leafMissing(let index, let found):
            "leaf \(index) is missing" + (found.map { "; the next stored leaf is \($0)" } ?? "")
        case .leafHashMismatch(let index, let expected, let found):
            "leaf \(index) was changed: stored leaf hash \(b64(expected)), hash of stored leaf \(b64(found))"
        case .leafMisplaced(let index, let recorded):
            "leaf \(index) holds the record written as leaf \(recorded.map(String.init) ?? "(unreadable)"): leaves were reordered or replaced"
        case .rootMismatch(let size, let expected, let found):
            "tree of \(size) leaves: signed root \(b64(expected)), recomputed root \(b64(found)); a leaf before \(size) was changed"
        case .truncated(let checkpointSize, let leafCount):
            "log truncated: a signed checkpoint covers \(checkpointSize) leaves, the log holds \(leafCount)"
        case .keyHistory(let reason):
            "the audit key history does not hold: \(reason)"
        }
    }

    private func b64(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }
}
