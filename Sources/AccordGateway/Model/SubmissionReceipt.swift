public import AccordCore
import AccordAudit

/// What the gateway answers an accepted submission: the message id and, per recipient, whether
/// it went to the recipient's inbox or is held for a privacy officer, under which agreement,
/// with which claim paths withheld, and the audit leaf that records it.
public struct SubmissionReceipt: Sendable, Equatable, Codable {
    public struct Recipient: Sendable, Equatable, Codable {
        public let recipient: AgencyID
        public let deliveryID: DeliveryID
        /// `delivered` (waiting in the recipient's inbox) or `held` (awaiting review).
        public let status: String
        public let agreement: AgreementID
        public let agreementDigest: String
        public let withheld: [String]
        public let auditLeaf: UInt64?

        enum CodingKeys: String, CodingKey {
            case recipient, status, agreement, withheld
            case deliveryID = "delivery_id"
            case agreementDigest = "agreement_digest"
            case auditLeaf = "audit_leaf"
        }
    }

    public let messageID: MessageID
    public let jti: String
    /// True when this answers a resubmission of a message already accepted.
    public let replayed: Bool
    public let recipients: [Recipient]
    /// The size of the latest checkpoint the gateway had signed when it answered: it covers a
    /// recipient's `audit_leaf` when larger, and otherwise the next checkpoint will, which
    /// `GET /v1/proofs/inclusion?leaf=` returns once signed (docs/audit.md, "Evidence in every
    /// answer"). Absent before the log's first checkpoint.
    public var checkpointSize: UInt64? = nil

    enum CodingKeys: String, CodingKey {
        case jti, replayed, recipients
        case messageID = "message_id"
        case checkpointSize = "checkpoint_size"
    }

    /// The receipt as the API sends it (the members `Codable` gives, canonical JSON), written
    /// without Foundation's `JSONEncoder`: every accepted submission is answered with one.
    public var json: [UInt8] {
        var members: [String: JSONValue] = [
            "message_id": .string(messageID.rawValue), "jti": .string(jti), "replayed": .bool(replayed),
            "recipients": .array(recipients.map { recipient in
                var members: [String: JSONValue] = [
                    "recipient": .string(recipient.recipient.rawValue), "delivery_id": .string(recipient.deliveryID.rawValue),
                    "status": .string(recipient.status), "agreement": .string(recipient.agreement.rawValue),
                    "agreement_digest": .string(recipient.agreementDigest), "withheld": .array(recipient.withheld.map(JSONValue.string)),
                ]
                if let leaf = recipient.auditLeaf { members["audit_leaf"] = .integer(Int64(leaf)) }
                return .object(members)
            }),
        ]
        if let checkpointSize { members["checkpoint_size"] = .integer(Int64(checkpointSize)) }
        let value = JSONValue.object(members)
        // Strings, booleans and leaf indices (far below 2^53) are always encodable.
        return (try? CanonicalJSON.encode(value)) ?? Array("{}".utf8)
    }
}

/// One presentation in a recipient's inbox: the SD-JWT as redacted for the recipient with the
/// gateway's key-binding JWT, plus the routing facts a recipient system files it by.
public struct InboxItem: Sendable, Equatable, Codable {
    public let deliveryID: DeliveryID
    public let messageID: MessageID
    public let from: AgencyID
    public let type: String
    public let purpose: String
    public let agreement: AgreementID
    /// The flow's handling code (H0–H3), also in the KB-JWT's `accord.handling`; absent only
    /// for deliveries accepted before the gateway kept it.
    public let handling: String?
    public let withheld: [String]
    public let receivedAt: String
    public let auditLeaf: UInt64
    public let presentation: String
    /// The cursor to pass as `after` for the items that follow this one.
    public let cursor: String
    /// As a receipt's: the latest checkpoint signed when the item was handed out, also in the
    /// KB-JWT's `accord.checkpoint_size`.
    public var checkpointSize: UInt64? = nil

    enum CodingKeys: String, CodingKey {
        case from, type, purpose, agreement, handling, withheld, presentation, cursor
        case deliveryID = "delivery_id"
        case messageID = "message_id"
        case receivedAt = "received_at"
        case auditLeaf = "audit_leaf"
        case checkpointSize = "checkpoint_size"
    }
}

/// A page of the inbox.
public struct InboxPage: Sendable, Equatable, Codable {
    public let items: [InboxItem]
    /// Pass as `after` to read on; equal to the request's `after` when nothing new arrived.
    public let next: String
}

/// The sender's view of one of its messages.
public struct MessageStatus: Sendable, Equatable, Codable {
    public struct Delivery: Sendable, Equatable, Codable {
        public let deliveryID: DeliveryID
        public let recipient: AgencyID
        public let state: String
        public let attempts: Int
        public let updatedAt: String
        public let agreement: AgreementID?
        public let withheld: [String]
        /// Set when the partner gateway serving the recipient refused the forward (docs/federation.md).
        public var partnerRefusal: PartnerRefusal?

        enum CodingKeys: String, CodingKey {
            case recipient, state, attempts, agreement, withheld
            case deliveryID = "delivery_id"
            case updatedAt = "updated_at"
            case partnerRefusal = "partner_refusal"
        }
    }

    public let messageID: MessageID
    public let receivedAt: String
    public let retained: Bool
    public let deliveries: [Delivery]

    enum CodingKeys: String, CodingKey {
        case retained, deliveries
        case messageID = "message_id"
        case receivedAt = "received_at"
    }
}

/// The answer to an acknowledgement.
public struct Acknowledgement: Sendable, Equatable, Codable {
    public let deliveryID: DeliveryID
    public let state: String
    public let auditLeaf: UInt64?

    enum CodingKeys: String, CodingKey {
        case state
        case deliveryID = "delivery_id"
        case auditLeaf = "audit_leaf"
    }
}
