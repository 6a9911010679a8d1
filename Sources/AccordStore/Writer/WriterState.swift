import AccordAudit
import Foundation

/// What the single writer knows between batches: the tree head, the last checkpoint and the
/// last inbox sequence. A value, replaced only after its batch has committed, so a rolled-back
/// batch leaves no trace.
struct WriterState: Sendable {
    var head: TreeHead
    var checkpointSize: UInt64
    var checkpointTime: Date
    /// The last sequence given to a delivery that became available (`inbox_sequence`).
    var inboxSequence: Int64
    /// The key that signs checkpoints now; a rotation replaces it once its batch commits.
    var signer: NoteSigner?
    /// The key a rotation in this batch hands over to: the batch's checkpoint carries both.
    var rotatingTo: NoteSigner?

    /// The next inbox sequence. INVARIANT: only the one writer assigns sequences, in the order
    /// its transactions commit, so every reader sees a prefix of them: a cursor taken from a
    /// snapshot never passes a delivery that commits later.
    mutating func nextInboxSequence() -> Int64 {
        inboxSequence += 1
        return inboxSequence
    }
}
