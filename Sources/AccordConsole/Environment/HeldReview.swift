public import AccordCore
/// A privacy officer's decision on a held delivery, which only the gateway carries out: the
/// delivery moves to pending (released) or rejected, with a `message.released` or
/// `message.denied` audit record naming `actor`, in one transaction; or, where the flow needs
/// several officers, the approval is recorded and the delivery stays held.
public protocol HeldReview: Sendable {
    /// `.notHeld` when the delivery is not held (already decided, or unknown); nothing changes then.
    /// A rejection carries the officer's reason.
    func review(deliveryID: DeliveryID, release: Bool, by actor: String, reason: String?) async throws -> HeldReviewOutcome

    /// What the recipient would receive, for `actor` to review; nil when the delivery is not
    /// held. Each call is audited as `message.viewed-for-review` by the gateway.
    func content(deliveryID: DeliveryID, for actor: String) async throws -> HeldContent?
}

/// What a review did.
public enum HeldReviewOutcome: Sendable, Equatable {
    case decided
    /// This approval is recorded; so many different officers must still approve.
    case awaitingApprovals(remaining: Int)
    case notHeld
}

/// The values of a held delivery as the recipient would receive them, shown only on the
/// officer's review page and never logged or audited.
public struct HeldContent: Sendable {
    public let values: [(path: String, value: String)]
    public let withheld: [String]
    public let approvedBy: [String]
    public let approvalsRequired: Int

    public init(values: [(path: String, value: String)], withheld: [String], approvedBy: [String], approvalsRequired: Int) {
        self.values = values
        self.withheld = withheld
        self.approvedBy = approvedBy
        self.approvalsRequired = approvalsRequired
    }
}

/// A decision the gateway refused while the delivery stays held: no agreement in force covers
/// it now (suspended, run out), or this officer approved it already. The officer is told why;
/// nothing changed.
public struct HeldReleaseRefused: Error, Sendable {
    public let detail: String

    public init(detail: String) { self.detail = detail }
}
