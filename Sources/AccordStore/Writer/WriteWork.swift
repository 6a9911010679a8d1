import AccordAudit
import Foundation

/// One caller's unit of work for the writer. One failing job never takes the others of its
/// batch down with it (see `BatchApplier`).
enum WriteWork: Sendable {
    case accept(Submission, [PreparedRecord])
    case append([PreparedRecord])
    case updateDelivery(DeliveryUpdate, [PreparedRecord])
    case activateAgreementSet(AgreementSetActivation, [PreparedRecord])
    case purge(cutoff: Date, now: Date)
    case recordPush(PushRecord)
    case checkpoint(force: Bool)
    case rotateAuditKey(NoteSigner, PreparedRecord)
}

/// What the writer hands back to one caller.
enum WriteResult: Sendable {
    case leaves([UInt64])
    case agreementSet(version: Int64, leaves: [UInt64])
    case purged(Int)
    case checkpoint(StoredCheckpoint?)
    case rotation(leaf: UInt64, checkpoint: StoredCheckpoint)
}
