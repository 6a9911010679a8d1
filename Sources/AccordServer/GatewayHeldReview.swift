public import AccordCore
public import AccordConsole
public import AccordGateway

/// The console's review of held deliveries, carried out by the gateway. Public so that the
/// console's tests drive the review `accord serve` mounts, not a stand-in.
public struct GatewayHeldReview: HeldReview {
    let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    public func review(deliveryID: DeliveryID, release: Bool, by actor: String, reason: String?) async throws -> HeldReviewOutcome {
        do {
            switch try await gateway.decide(deliveryID: deliveryID, release: release, by: actor, reason: reason) {
            case .released, .rejected: return .decided
            case .approvalRecorded(_, let remaining): return .awaitingApprovals(remaining: remaining)
            }
        } catch {
            if error.code == "not-held" || error.code == "not-found" { return .notHeld }
            if ["agreement-not-in-force", "already-approved", "reason-required", "reason-too-long"].contains(error.code) {
                throw HeldReleaseRefused(detail: error.detail)
            }
            throw error
        }
    }

    public func content(deliveryID: DeliveryID, for actor: String) async throws -> HeldContent? {
        do {
            let content = try await gateway.reviewContent(deliveryID: deliveryID, for: actor)
            return HeldContent(values: content.values, withheld: content.withheld, approvedBy: content.approvedBy,
                               approvalsRequired: content.approvalsRequired)
        } catch {
            if error.code == "not-held" || error.code == "not-found" { return nil }
            throw error
        }
    }
}
