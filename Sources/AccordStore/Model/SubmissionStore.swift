public import AccordCore
/// What accepting a message needs: one transaction for the message, its deliveries and audit
/// records, and the stored message when a resubmission must be answered with its receipt.
public protocol SubmissionStore: Sendable {
    /// Message, deliveries and audit records of one submission, in one transaction. Throws
    /// `duplicateMessage`, having written nothing, when the message id was accepted before.
    func accept(_ submission: Submission) async throws(StoreError) -> [UInt64]
    func message(id: MessageID) async throws(StoreError) -> StoredMessage?
    func deliveries(messageID: MessageID) async throws(StoreError) -> [StoredDelivery]
}
