public import AccordCore
import AccordAudit
import AccordStore
import Foundation

/// What a privacy officer's decision on a held delivery did.
public enum ReviewDecision: Sendable, Equatable {
    /// Released to the recipient's inbox; the leaf of `message.released`.
    case released(leaf: UInt64?)
    /// Rejected; the leaf of `message.denied`.
    case rejected(leaf: UInt64?)
    /// This officer's approval is recorded (`message.approved`), and `remaining` different
    /// officers must still approve before the delivery is released.
    case approvalRecorded(leaf: UInt64?, remaining: Int)
}

extension Gateway {
    /// The longest rejection reason kept; an officer's reason is a sentence, not a document.
    static let maximumReasonLength = 500

    /// A privacy officer's decision on a held delivery, audited with the officer as actor
    /// (docs/console.md). A release needs as many different officers as the flow's hold says:
    /// each approval short of that is recorded and the delivery stays held; the same officer
    /// approving twice is refused. A rejection needs a reason, recorded in the `message.denied`
    /// leaf's details. Release is refused (409 `agreement-not-in-force`) while the agreement
    /// does not cover the delivery; rejecting it is always possible.
    public func decide(deliveryID: DeliveryID, release: Bool, by actor: String, reason: String? = nil) async throws(GatewayProblem) -> ReviewDecision {
        let delivery = try await heldDelivery(deliveryID)
        let pending = delivery.envelope
        let time = now()
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !release {
            guard !reason.isEmpty else {
                throw GatewayProblem(code: "reason-required", status: 400, title: "Reason required",
                                     detail: "rejecting delivery '\(deliveryID)' needs a reason, which the audit log keeps")
            }
            guard reason.count <= Self.maximumReasonLength else {
                throw GatewayProblem(code: "reason-too-long", status: 400, title: "Reason too long",
                                     detail: "the reason for rejecting delivery '\(deliveryID)' has \(reason.count) characters; keep it to \(Self.maximumReasonLength)")
            }
        }
        if release, let pending, let why = notCoveredReason(pending, to: delivery.recipient, at: time) {
            throw GatewayProblem(code: "agreement-not-in-force", status: 409, title: "No agreement in force covers it",
                                 detail: "delivery '\(deliveryID)' cannot be released: agreement '\(pending.agreementID)' does not cover it now (\(why)); it stays held until the agreement is in force again, or expires")
        }
        func record(_ event: AuditEvent, _ code: String, _ details: [String: String] = [:]) -> AuditRecord {
            AuditRecord(
                event: event, time: time, actor: actor, messageID: delivery.messageID, deliveryID: deliveryID,
                from: pending?.sender, to: [delivery.recipient],
                agreement: pending.map { AgreementReference(id: $0.agreementID, versionDigest: $0.agreementDigest) },
                withheld: pending?.withheld ?? [], reason: code, details: details)
        }
        if !release {
            let leaf = try await update(deliveryID, .rejected, record(.messageDenied, "rejected-by-privacy-officer", ["officer_reason": reason]))
            return .rejected(leaf: leaf)
        }
        let (held, approvedBy) = try await reviewRecords(delivery)
        let required = Self.approvalsRequired(held)
        if approvedBy.contains(actor) {
            throw GatewayProblem(code: "already-approved", status: 409, title: "Already approved",
                                 detail: "you have approved delivery '\(deliveryID)' already; it needs \(required) different privacy officers")
        }
        let approvers = approvedBy + [actor]
        if approvers.count < required {
            let approval = record(.messageApproved, "approved-by-privacy-officer",
                                  ["approvals": String(approvers.count), "approvals_required": String(required)])
            let leaf: UInt64?
            do { leaf = try await store.append([approval]).first } catch {
                throw .unavailable("the approval could not be recorded (\(error.code.rawValue)); nothing changed, retry")
            }
            return .approvalRecorded(leaf: leaf, remaining: required - approvers.count)
        }
        let details = required > 1 ? ["approved_by": approvers.joined(separator: ",")] : [:]
        return .released(leaf: try await update(deliveryID, .pending, record(.messageReleased, "approved-by-privacy-officer", details)))
    }

    /// `decide` for a flow that one officer releases, as the demo and older callers use it.
    public func review(deliveryID: DeliveryID, release: Bool, by actor: String, reason: String? = nil) async throws(GatewayProblem) -> UInt64? {
        switch try await decide(deliveryID: deliveryID, release: release, by: actor, reason: reason) {
        case .released(let leaf), .rejected(let leaf), .approvalRecorded(let leaf, _): leaf
        }
    }

    private func update(_ deliveryID: DeliveryID, _ state: DeliveryState, _ record: AuditRecord) async throws(GatewayProblem) -> UInt64? {
        do {
            return try await store.updateDelivery(DeliveryUpdate(deliveryID: deliveryID, state: state, audit: [record])).first
        } catch where error.code == .invalidTransition {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' was decided concurrently")
        } catch {
            throw .unavailable("the review could not be recorded (\(error.code.rawValue)); nothing changed, retry")
        }
    }
}
