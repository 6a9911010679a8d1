import AccordStore

/// What the plan stage decided for an accepted message: everything the store writes in one
/// transaction, and the receipt less the audit leaves the store assigns.
struct DeliveryPlan: Sendable {
    /// One recipient's line of the receipt, and which of the submission's audit records
    /// is its `message.accepted` (whose leaf the receipt names).
    struct Line: Sendable {
        let recipient: SubmissionReceipt.Recipient
        let recordIndex: Int
    }

    let submission: Submission
    let lines: [Line]

    /// The receipt once the store has given the audit records their leaves, in order.
    func receipt(jti: String, leaves: [UInt64], checkpointSize: UInt64?) -> SubmissionReceipt {
        SubmissionReceipt(messageID: submission.message.id, jti: jti, replayed: false, recipients: lines.map { line in
            let recipient = line.recipient
            return SubmissionReceipt.Recipient(
                recipient: recipient.recipient, deliveryID: recipient.deliveryID, status: recipient.status,
                agreement: recipient.agreement, agreementDigest: recipient.agreementDigest, withheld: recipient.withheld,
                auditLeaf: line.recordIndex < leaves.count ? leaves[line.recordIndex] : nil)
        }, checkpointSize: checkpointSize)
    }
}
