public import AccordCore
import AccordAudit
import AccordPolicy
public import AccordStore
public import Foundation
import Logging

/// A partner gateway's refusal of one forwarded delivery, as the sender sees it in
/// `GET /v1/messages/{id}` (docs/federation.md, "A refusal is reported back").
public struct PartnerRefusal: Sendable, Equatable, Codable {
    /// The partner gateway's registry id.
    public let partner: String
    /// The problem code the partner answered with (or `http-<status>`): a code, never a body.
    public let reason: String
}

extension Gateway {
    /// The prefix of a push record's `lastFailure` that marks a partner's refusal.
    static let refusalPrefix = "refused by "

    /// Records that `partner` refused `item`, forwarded for `agency`: final, so it is not
    /// retried. The delivery is marked undeliverable (the console lists it, and it stays in the
    /// inbox), `message.forward-refused` is audited with the partner's reason, and the sender's
    /// view of the message shows it.
    public func forwardRefused(_ item: InboxItem, to agency: AgencyID, by partner: String, record: PushRecord?, reason: String) async {
        let time = now()
        let audit = AuditRecord(
            event: .messageForwardRefused, time: time, actor: "gateway", messageID: item.messageID, deliveryID: item.deliveryID,
            from: item.from, to: [agency], reason: reason, details: ["partner": partner, "type": item.type, "purpose": item.purpose])
        do { _ = try await store.append([audit]) } catch {
            logger.error("auditing a partner's refusal failed", metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error.code.rawValue)"])
        }
        let updated = PushRecord(
            deliveryID: item.deliveryID, recipient: agency, state: .undeliverable, firstAttempt: record?.firstAttempt ?? time,
            lastAttempt: time, attempts: (record?.attempts ?? 0) + 1, nextAttempt: time,
            lastFailure: "\(Self.refusalPrefix)\(partner): \(reason)")
        do { try await store.recordPush(updated) } catch {
            logger.error("recording a partner's refusal failed; the forward will be tried again",
                         metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error.code.rawValue)"])
        }
        logger.warning("a partner gateway refused a forward; it is not retried", metadata: [
            "recipient": "\(agency)", "partner": "\(partner)", "delivery_id": "\(item.deliveryID)", "reason": "\(reason)",
        ])
    }

    /// Records that `partner` answered the forward of `item` with success but a receipt that is
    /// not one (`reason`, a code from `PartnerReceiptCheck`): audited, and failed like a push
    /// that got no answer, so it is tried again from `retryAt` and, past the horizon, is
    /// undeliverable and listed with this reason. The partner files a forward sent again by its
    /// message id, so retrying never delivers twice.
    public func forwardUnacknowledged(_ item: InboxItem, to agency: AgencyID, by partner: String, record: PushRecord?,
                                      reason: String, retryAt: Date) async {
        let audit = AuditRecord(
            event: .messageForwardUnacknowledged, time: now(), actor: "gateway", messageID: item.messageID, deliveryID: item.deliveryID,
            from: item.from, to: [agency], reason: reason, details: ["partner": partner, "type": item.type, "purpose": item.purpose])
        do { _ = try await store.append([audit]) } catch {
            logger.error("auditing an unverifiable partner receipt failed", metadata: ["delivery_id": "\(item.deliveryID)", "error": "\(error.code.rawValue)"])
        }
        await pushFailed(item, to: agency, record: record, failure: "receipt from \(partner) not verified: \(reason)", retryAt: retryAt)
        logger.warning("a partner gateway's receipt does not verify; the forward is not acknowledged and will be retried", metadata: [
            "recipient": "\(agency)", "partner": "\(partner)", "delivery_id": "\(item.deliveryID)", "reason": "\(reason)",
        ])
    }

    /// The partner refusals among `deliveries`, by delivery id, for the sender's view.
    func partnerRefusals(of deliveries: [StoredDelivery]) async -> [DeliveryID: PartnerRefusal] {
        let served = policy.current.policy.set.gatewayServing
        var refusals: [DeliveryID: PartnerRefusal] = [:]
        for recipient in Set(deliveries.map(\.recipient)) where served[recipient] != nil {
            guard let records = try? await store.pushRecords(recipient: recipient) else { continue }
            for record in records where record.state == .undeliverable {
                guard let failure = record.lastFailure, failure.hasPrefix(Self.refusalPrefix),
                      let colon = failure.range(of: ": ") else { continue }
                let partner = String(failure[failure.index(failure.startIndex, offsetBy: Self.refusalPrefix.count)..<colon.lowerBound])
                refusals[record.deliveryID] = PartnerRefusal(partner: partner, reason: String(failure[colon.upperBound...]))
            }
        }
        return refusals
    }
}
