/// A privacy officer's decision on a held delivery, which only the gateway carries out: the
/// delivery moves to pending (released) or rejected, with a `message.released` or
/// `message.denied` audit record naming `actor`, in one transaction.
public protocol HeldReview: Sendable {
    /// False when the delivery is not held (already decided, or unknown); nothing changes then.
    func review(deliveryID: String, release: Bool, by actor: String) async throws -> Bool
}

/// A release the gateway refused while the delivery stays held: no agreement in force covers
/// it now (suspended, run out). The officer is told why; nothing changed.
public struct HeldReleaseRefused: Error, Sendable {
    public let detail: String

    public init(detail: String) { self.detail = detail }
}
