public import AccordCore
public import Foundation

/// Where pushing one delivery to its recipient's endpoint stands (docs/api.md, "Push delivery").
/// The delivery itself waits in the inbox, which is the push queue; this records the tries.
public struct PushRecord: Sendable, Equatable {
    public enum State: String, Sendable, CaseIterable {
        /// Being tried; `nextAttempt` says when next. A delivery pushed and acknowledged leaves
        /// the inbox, and with it every list of records.
        case retrying
        /// Tried until the horizon passed: left in the inbox for pulling, shown on the console.
        case undeliverable
    }

    public let deliveryID: DeliveryID
    public let recipient: AgencyID
    public var state: State
    /// The horizon counts from here: when the delivery was first tried, not when it was
    /// accepted, so that a delivery released from review after a day is still pushed.
    public let firstAttempt: Date
    public var lastAttempt: Date
    public var attempts: Int
    public var nextAttempt: Date
    /// The last failure as a code (`503`, `client-connect-failed`), never a response body.
    public var lastFailure: String?

    public init(deliveryID: DeliveryID, recipient: AgencyID, state: State, firstAttempt: Date, lastAttempt: Date,
                attempts: Int, nextAttempt: Date, lastFailure: String?) {
        self.deliveryID = deliveryID
        self.recipient = recipient
        self.state = state
        self.firstAttempt = firstAttempt
        self.lastAttempt = lastAttempt
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastFailure = lastFailure
    }
}

/// What push delivery needs from storage: the record of each delivery's tries, kept across
/// restarts so that backoff and the horizon survive a SIGKILL.
public protocol PushStore: Sendable {
    /// The push records of `recipient`'s deliveries that are still in its inbox (pending or
    /// delivered, not acknowledged).
    func pushRecords(recipient: AgencyID) async throws(StoreError) -> [PushRecord]
    /// Push records of deliveries still waiting in an inbox, in `state`, oldest first try first.
    func pushRecords(state: PushRecord.State, limit: Int) async throws(StoreError) -> [PushRecord]
    /// Writes (inserts or replaces) one record, through the single writer.
    func recordPush(_ record: PushRecord) async throws(StoreError)
    /// Whether this node may push to `recipient` now: takes the recipient's push lease when it
    /// is free or has run out, or renews it when this node holds it. Several nodes on one
    /// database each run push workers; the lease keeps one recipient's deliveries on one node
    /// at a time, in inbox order. A default answers yes: one gateway per database pushes alone.
    func claimPushLease(recipient: AgencyID) async throws(StoreError) -> Bool
}

extension PushStore {
    public func claimPushLease(recipient: AgencyID) async throws(StoreError) -> Bool { true }
}
