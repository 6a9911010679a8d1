import AccordAudit
import Foundation

/// What the single writer knows between batches: the tree head and the last checkpoint.
/// A value, replaced only after its batch has committed, so a rolled-back batch leaves no trace.
struct WriterState: Sendable {
    var head: TreeHead
    var checkpointSize: UInt64
    var checkpointTime: Date
}
