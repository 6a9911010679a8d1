public import AccordCore
import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import CoreMetrics
import Foundation
import Logging

/// The path of one message, as named stages (docs/architecture.md): receive → verify → plan →
/// store → answer. Each stage hands the next a value; a stage that will not go on throws a
/// `Refusal`, and `answer` turns it into the client's answer, audited, in one place.
extension Gateway {
    /// Accepts `text` (an SD-JWT as issued) from the agency authenticated by TLS, or refuses it
    /// with a problem. All recipients or none: a message goes nowhere unless an agreement in
    /// force covers every recipient.
    public func submit(_ text: String, from agency: AgencyID) async throws(GatewayProblem) -> SubmissionReceipt {
        let started = ContinuousClock.now
        defer { metrics.submitDuration.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started)) }
        let received = receive(text, from: agency)
        let refusal: Refusal
        do {
            let candidate = try verify(received)
            let plan = try planner.plan(candidate)
            return try await store(plan, of: candidate)
        } catch {
            refusal = error
        }
        return try await answer(refusal, for: received)
    }

    /// Stage 1, receive: the time, the digest, and the one agreement snapshot this message is
    /// decided under.
    func receive(_ text: String, from agency: AgencyID) -> ReceivedMessage {
        ReceivedMessage(text: text, agency: agency, receivedAt: now(), digest: Identifiers.submissionDigest(text), snapshot: policy.current)
    }

    /// Stage 2, verify: the sender is registered, the SD-JWT verifies, every acceptance rule holds.
    func verify(_ received: ReceivedMessage) throws(Refusal) -> CandidateMessage {
        guard received.snapshot.policy.set.agencies[received.agency] != nil else {
            throw Refusal(problem: Self.unregistered(received.agency), stage: .identity)
        }
        let message: VerifiedMessage
        do { message = try verifier.verify(received.text, now: received.receivedAt) } catch {
            throw Refusal(problem: Self.problem(for: error), stage: .verify)
        }
        let candidate = CandidateMessage(
            received: received, message: message,
            messageID: Identifiers.messageID(issuer: message.routing.issuer, jti: message.jti),
            binding: message.holderKey.flatMap(bindingKeys.thumbprint(of:)))
        try acceptanceRules.check(candidate)
        return candidate
    }

    // Stage 3, plan, is `DeliveryPlanner.plan`: pure, over the candidate and its snapshot.

    /// Stage 4, store: the message, its deliveries and audit records in one transaction, and
    /// the receipt. A resubmission is found here, by the store's duplicate check, not by a
    /// read before every first submission.
    func store(_ plan: DeliveryPlan, of candidate: CandidateMessage) async throws(Refusal) -> SubmissionReceipt {
        let routing = candidate.routing
        let leaves: [UInt64]
        do {
            leaves = try await store.accept(plan.submission)
        } catch where error.code == .duplicateMessage {
            // Accepted before (a resubmission), or by a concurrent submission of the same jti:
            // the stored receipt answers, or the jti was reused for different content.
            throw Refusal(problem: .unavailable("the message was accepted concurrently and cannot be read back yet; retry"),
                          stage: .idempotency, clear: candidate.message.clear, messageID: candidate.messageID,
                          yieldsToEarlierAcceptance: true, isAudited: false)
        } catch {
            logger.error("storing an accepted message failed", metadata: ["message_id": "\(candidate.messageID)", "error": "\(error.code.rawValue)"])
            throw Refusal(problem: .storing(error), stage: .idempotency, isAudited: false)
        }
        metrics.accepted.increment()
        logger.info("message accepted", metadata: [
            "message_id": "\(candidate.messageID)", "from": "\(candidate.received.agency)",
            "to": "\(routing.recipients.map(\.rawValue).joined(separator: ","))", "type": "\(routing.type)",
        ])
        return plan.receipt(jti: candidate.message.jti, leaves: leaves, checkpointSize: await latestCheckpointSize.current(from: store))
    }

    /// Stage 5 for a message that went no further: the receipt of an earlier acceptance of the
    /// same message where the refusal yields to one, otherwise the refusal, audited.
    private func answer(_ refusal: Refusal, for received: ReceivedMessage) async throws(GatewayProblem) -> SubmissionReceipt {
        if refusal.yieldsToEarlierAcceptance, let messageID = refusal.messageID, let clear = refusal.clear,
           let existing = try await existingReceipt(received, messageID: messageID, clear: clear) {
            return existing
        }
        guard refusal.isAudited else { throw refusal.problem }
        throw await refuse(refusal.problem, agency: received.agency, digest: received.digest, stage: refusal.stage.rawValue,
                           routing: refusal.routing, messageID: refusal.messageID, denials: refusal.denials,
                           offered: refusal.offered)
    }

    /// The original receipt when this jti was accepted before with the same content; a refusal
    /// when it was accepted with different content; nil when it is new.
    private func existingReceipt(_ received: ReceivedMessage, messageID: MessageID, clear: ClearClaims) async throws(GatewayProblem) -> SubmissionReceipt? {
        let stored: StoredMessage?
        let deliveries: [StoredDelivery]
        do {
            stored = try await store.message(id: messageID)
            deliveries = stored == nil ? [] : try await store.deliveries(messageID: messageID)
        } catch {
            throw .unavailable("the gateway could not read its store (\(error.code.rawValue))")
        }
        guard let stored else { return nil }
        guard stored.submissionDigest == received.digest else {
            throw await refuse(GatewayProblem(code: "jti-reused", status: 409, title: "Message id already used",
                detail: "jti '\(clear.jti)' was already accepted from '\(received.agency)' with different content; a new message needs a new jti",
                messageID: messageID.rawValue), agency: received.agency, digest: received.digest, stage: Refusal.Stage.idempotency.rawValue,
                routing: clear.routing, messageID: messageID)
        }
        let leaves = (try? await store.query(AuditQuery(events: [.messageAccepted], messageID: messageID))) ?? []
        let checkpointSize = await latestCheckpointSize.current(from: store)
        return SubmissionReceipt(messageID: messageID, jti: clear.jti, replayed: true, recipients: deliveries.map { delivery in
            let envelope = delivery.envelope
            let leaf = leaves.first { $0.record.deliveryID == delivery.id }
            return SubmissionReceipt.Recipient(
                recipient: delivery.recipient, deliveryID: delivery.id, status: Self.receiptStatus(delivery.state),
                agreement: envelope?.agreementID ?? leaf?.record.agreement?.id ?? "",
                agreementDigest: envelope?.agreementDigest ?? leaf?.record.agreement?.versionDigest ?? "",
                withheld: envelope?.withheld ?? leaf?.record.withheld ?? [], auditLeaf: leaf?.index)
        }, checkpointSize: checkpointSize)
    }

    /// What a receipt says of a delivery: `delivered` while it is (or was) available to the
    /// recipient, otherwise its state.
    static func receiptStatus(_ state: DeliveryState) -> String {
        switch state {
        case .pending, .delivered, .acknowledged: "delivered"
        case .held, .rejected, .expired, .waiting: state.rawValue
        }
    }
}
