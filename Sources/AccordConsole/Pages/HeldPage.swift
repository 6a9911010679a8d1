import AccordCore
import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import Foundation
import Hummingbird

/// Deliveries held for a privacy officer, and their approval or rejection. Approval moves
/// the delivery to `pending` (the gateway then delivers it) with a `message.released` record;
/// rejection moves it to `rejected` with a `message.denied` record. The operator is the actor
/// of both, and the state change and its record are written in one transaction. Below them,
/// the pushes given up on at the horizon (docs/api.md, "Push delivery").
extension Console {
    struct HeldItem {
        let delivery: StoredDelivery
        let message: StoredMessage?
        let heldRecord: AuditRecord?
    }

    func heldItems() async throws -> [HeldItem] {
        var items: [HeldItem] = []
        for recipient in environment.agreements.active.policy.set.agencies.keys.sorted() {
            for delivery in try await environment.store.deliveries(recipient: recipient, states: [.held]) {
                items.append(HeldItem(delivery: delivery, message: try await environment.store.message(id: delivery.messageID),
                                      heldRecord: try await heldRecord(of: delivery)))
            }
        }
        return items.sorted { ($0.message?.receivedAt ?? .distantPast) < ($1.message?.receivedAt ?? .distantPast) }
    }

    func heldRecord(of delivery: StoredDelivery) async throws -> AuditRecord? {
        let records = try await environment.store.query(AuditQuery(events: [.messageHeld], messageID: delivery.messageID)).map(\.record)
        return records.first { $0.deliveryID == delivery.id } ?? records.first { $0.to.contains(delivery.recipient) }
    }

    func held(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.reviewHeld, request, context) { person, _ in
            let items = try await heldItems().map { describe($0, csrf: token(person)) }
            let undeliverable = try await environment.store.pushRecords(state: .undeliverable, limit: 200).map { record -> [String: Any] in
                [
                    "deliveryID": record.deliveryID, "recipient": record.recipient, "attempts": record.attempts,
                    "firstAttempt": AuditTime.format(milliseconds: AuditTime.milliseconds(record.firstAttempt)),
                    "lastAttempt": AuditTime.format(milliseconds: AuditTime.milliseconds(record.lastAttempt)),
                    "lastFailure": record.lastFailure ?? "none",
                ]
            }
            return renderer.page("held", title: "Held messages", data: ["items": items, "undeliverable": undeliverable, "hasUndeliverable": !undeliverable.isEmpty, "csrf": token(person)],
                                 operator: person, current: "/held")
        }
    }

    /// One held delivery with the values the recipient would receive. The gateway audits the
    /// view before it hands the values over; they are rendered here and nowhere else.
    func heldContent(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.reviewHeld, request, context) { person, query in
            guard let deliveryID = query["delivery"].map(DeliveryID.init(rawValue:)), let delivery = try await environment.store.delivery(id: deliveryID),
                  delivery.state == .held, let content = try await environment.review.content(deliveryID: deliveryID, for: person.actor)
            else {
                return outcome(person, title: "Review", kind: "warn", message: "That delivery is not waiting for review (already decided, or unknown).",
                               back: "/held", backLabel: "Back to held messages", status: .notFound)
            }
            let item = HeldItem(delivery: delivery, message: try await environment.store.message(id: delivery.messageID),
                                heldRecord: try await heldRecord(of: delivery))
            var data = describe(item, csrf: token(person))
            let approvals = content.approvedBy.isEmpty ? "none yet" : content.approvedBy.joined(separator: ", ")
            data["values"] = [
                "rows": content.values.map { ["path": $0.path, "value": $0.value] },
                "approvals": "\(approvals); \(content.approvalsRequired) different privacy officer\(content.approvalsRequired == 1 ? "" : "s") must approve",
                "recipient": delivery.recipient.rawValue,
            ] as [String: Any]
            data["withheld"] = content.withheld.isEmpty ? "none" : content.withheld.joined(separator: ", ")
            return renderer.page("held", title: "Review held message", data: ["items": [data], "csrf": token(person)],
                                 operator: person, current: "/held")
        }
    }

    private func describe(_ item: HeldItem, csrf: String) -> [String: Any] {
        let routing = item.message?.sdJWT.flatMap { try? ClearClaims(storedSDJWT: $0).routing }
        var href = URLComponents()
        href.path = "/held/review"
        href.queryItems = [URLQueryItem(name: "delivery", value: item.delivery.id.rawValue)]
        return [
            "messageID": item.delivery.messageID.rawValue, "deliveryID": item.delivery.id.rawValue, "recipient": item.delivery.recipient.rawValue,
            "sender": (item.message?.sender ?? routing?.issuer)?.rawValue ?? "unknown",
            "received": item.message.map { AuditTime.format(milliseconds: AuditTime.milliseconds($0.receivedAt)) } ?? "unknown",
            "type": routing?.type ?? "unknown", "purpose": routing?.purpose ?? "unknown",
            "classification": routing?.classification ?? "unknown", "caseRef": routing?.caseReference ?? "",
            "agreement": item.heldRecord?.agreement?.id.rawValue ?? "unknown",
            "heldBecause": Self.heldBecause(item.heldRecord),
            "disclosed": item.heldRecord?.disclosed.joined(separator: ", ") ?? "unknown",
            "withheld": item.heldRecord.map { $0.withheld.isEmpty ? "none" : $0.withheld.joined(separator: ", ") } ?? "unknown",
            "reviewHref": href.string ?? "/held", "csrf": csrf,
        ]
    }

    /// The hold's conditions as the planner recorded them (codes and claim paths, no values).
    static func heldBecause(_ record: AuditRecord?) -> String {
        guard let record, let codes = record.details["hold"], !codes.isEmpty else { return "the flow holds every delivery" }
        var parts: [String] = []
        for code in codes.split(separator: ",") {
            switch code {
            case "always": parts.append("the flow holds every delivery")
            case "classification": parts.append("marked \(record.details["hold_classification"] ?? "") or above")
            case "recipient-overseas": parts.append("the recipient is overseas (\(record.details["hold_jurisdiction"] ?? ""))")
            default:
                let tag = code.hasPrefix("disclosed-") ? String(code.dropFirst("disclosed-".count)) : String(code)
                parts.append("discloses \(tag)-tagged claims (\(record.details["hold_paths"]?.split(separator: ",").joined(separator: ", ") ?? ""))")
            }
        }
        return parts.joined(separator: "; ")
    }

    func review(_ request: Request, _ context: ConsoleRequestContext, approve: Bool) async throws -> Response {
        try await guarded(.reviewHeld, request, context, form: true) { person, form in
            guard let messageID = form["message"].map(MessageID.init(rawValue:)), let deliveryID = form["delivery"].map(DeliveryID.init(rawValue:)) else {
                return renderer.error(.badRequest, title: "Review", message: "The form named no message and delivery.", operator: person)
            }
            let reason = form["reason"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if !approve && reason.isEmpty {
                return outcome(person, title: "Review", kind: "warn", message: "Not rejected: give a reason for rejecting message \(messageID).",
                               back: "/held", backLabel: "Back to held messages", status: .badRequest)
            }
            let deliveries = try await environment.store.deliveries(messageID: messageID)
            let delivery = deliveries.first { $0.id == deliveryID }
            var decided = HeldReviewOutcome.notHeld
            if delivery != nil {
                do {
                    decided = try await environment.review.review(deliveryID: deliveryID, release: approve, by: person.actor,
                                                                  reason: approve ? nil : reason)
                } catch let refused as HeldReleaseRefused {
                    return outcome(person, title: "Review", kind: "warn", message: "Not \(approve ? "released" : "rejected"): \(refused.detail).",
                                   back: "/held", backLabel: "Back to held messages", status: .conflict)
                }
            }
            guard let delivery, decided != .notHeld else {
                return outcome(person, title: "Review", kind: "warn",
                               message: "Delivery \(deliveryID) of message \(messageID) is not waiting for review (already decided, or unknown).",
                               back: "/held", backLabel: "Back to held messages", status: .conflict)
            }
            if case .awaitingApprovals(let remaining) = decided {
                return outcome(person, title: "Review", kind: "ok",
                               message: "Your approval of message \(messageID) to \(delivery.recipient) is recorded; \(remaining) more privacy officer\(remaining == 1 ? "" : "s") must approve before it is released.",
                               back: "/held", backLabel: "Back to held messages")
            }
            return outcome(person, title: "Review", kind: approve ? "ok" : "warn",
                           message: approve ? "Message \(messageID) is released for delivery to \(delivery.recipient)."
                               : "Message \(messageID) will not be delivered to \(delivery.recipient).",
                           back: "/held", backLabel: "Back to held messages")
        }
    }
}
