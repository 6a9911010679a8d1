import AccordAudit
public import AccordCore
import AccordMessages
import AccordStore
import Foundation

/// What a privacy officer is shown of a held delivery: the values the recipient would
/// receive, the paths withheld, and who has approved it so far.
public struct ReviewContent: Sendable {
    /// Each disclosed leaf value, by claim path, in the recipient's view of the message.
    public let values: [(path: String, value: String)]
    public let withheld: [String]
    public let approvedBy: [String]
    public let approvalsRequired: Int
}

extension Gateway {
    /// The held delivery's content for `actor`'s review, read from the redacted SD-JWT the
    /// recipient would receive, so that the officer approves exactly what would go. Each view
    /// is audited as `message.viewed-for-review` with the paths shown, never the values
    /// (docs/audit.md); the values are returned to the console only.
    public func reviewContent(deliveryID: DeliveryID, for actor: String) async throws(GatewayProblem) -> ReviewContent {
        let delivery = try await heldDelivery(deliveryID)
        guard let envelope = delivery.envelope, let redacted = envelope.redacted else {
            throw GatewayProblem(code: "not-retained", status: 409, title: "Content not retained",
                                 detail: "delivery '\(deliveryID)' no longer holds its content")
        }
        let received = Date(timeIntervalSince1970: Double(envelope.receivedMilliseconds) / 1000)
        let message: VerifiedMessage
        do { message = try verifier.verify(redacted, now: received) } catch {
            throw GatewayProblem(code: "content-unverifiable", status: 409, title: "Content cannot be verified",
                                 detail: "delivery '\(deliveryID)' no longer verifies (\(error.code.rawValue)); reject it or let it expire")
        }
        let values = Self.leaves(message.claims.filter { !ClearClaims.names.contains($0.key) })
        let (held, approvals) = try await reviewRecords(delivery)
        let record = AuditRecord(
            event: .messageViewedForReview, time: now(), actor: actor, messageID: delivery.messageID, deliveryID: deliveryID,
            from: envelope.sender, to: [delivery.recipient],
            agreement: AgreementReference(id: envelope.agreementID, versionDigest: envelope.agreementDigest),
            disclosed: values.map(\.path), withheld: envelope.withheld, reason: "review")
        do { _ = try await store.append([record]) } catch {
            // Values are shown only once the view is on the record.
            throw .unavailable("the view could not be audited (\(error.code.rawValue)); nothing is shown, retry")
        }
        return ReviewContent(values: values, withheld: envelope.withheld, approvedBy: approvals,
                             approvalsRequired: Self.approvalsRequired(held))
    }

    func heldDelivery(_ deliveryID: DeliveryID) async throws(GatewayProblem) -> StoredDelivery {
        let delivery: StoredDelivery?
        do { delivery = try await store.delivery(id: deliveryID) } catch {
            throw .unavailable("the gateway could not read the delivery (\(error.code.rawValue))")
        }
        guard let delivery else { throw .notFound("delivery '\(deliveryID)'") }
        guard delivery.state == .held else {
            throw GatewayProblem(code: "not-held", status: 409, title: "Not held", detail: "delivery '\(deliveryID)' is \(delivery.state.rawValue), not held")
        }
        return delivery
    }

    /// The delivery's `message.held` record and the officers who have approved it so far.
    func reviewRecords(_ delivery: StoredDelivery) async throws(GatewayProblem) -> (held: AuditRecord?, approvedBy: [String]) {
        let records: [AuditRecord]
        do {
            records = try await store.query(AuditQuery(events: [.messageHeld, .messageApproved], messageID: delivery.messageID))
                .map(\.record).filter { $0.deliveryID == delivery.id }
        } catch {
            throw .unavailable("the gateway could not read the delivery's review (\(error.code.rawValue))")
        }
        var approvedBy: [String] = []
        for record in records where record.event == .messageApproved && !approvedBy.contains(record.actor) {
            approvedBy.append(record.actor)
        }
        return (records.first { $0.event == .messageHeld }, approvedBy)
    }

    /// From the held record's details (written by the planner); one when a record predates them.
    static func approvalsRequired(_ held: AuditRecord?) -> Int {
        held?.details["approvals_required"].flatMap(Int.init).map { max(1, $0) } ?? 1
    }

    /// Every leaf of the claims as (path, JSON text); arrays are shown whole, as the path
    /// `name[*]` the agreements name them by.
    static func leaves(_ claims: [String: JSONValue]) -> [(path: String, value: String)] {
        var out: [(path: String, value: String)] = []
        func walk(_ value: JSONValue, _ path: String) {
            if case .object(let members) = value {
                for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                    walk(member, path.isEmpty ? name : "\(path).\(name)")
                }
            } else {
                // A number with no canonical form is still shown, as the literal it was sent as.
                let text: String
                if case .number(let literal) = value { text = (try? CanonicalJSON.string(value)) ?? literal } else {
                    text = (try? CanonicalJSON.string(value)) ?? ""
                }
                out.append((path, text))
            }
        }
        walk(.object(claims), "")
        return out
    }
}
