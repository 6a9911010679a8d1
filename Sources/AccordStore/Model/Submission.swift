public import AccordCore
public import AccordAudit
public import Foundation

/// Everything one accepted submission writes, in one transaction: the message, a delivery
/// per recipient, and its audit records.
public struct Submission: Sendable {
    /// The submitted message as stored until its retention ends.
    public struct Message: Sendable {
        public var id: MessageID
        public var sender: AgencyID
        public var sdJWT: String
        /// `sha-256:` and the hex SHA-256 of `sdJWT`, computed once on the request side.
        public var submissionDigest: String
        public var receivedAt: Date
        public var retainUntil: Date

        public init(id: MessageID, sender: AgencyID, sdJWT: String, submissionDigest: String, receivedAt: Date, retainUntil: Date) {
            self.id = id
            self.sender = sender
            self.sdJWT = sdJWT
            self.submissionDigest = submissionDigest
            self.receivedAt = receivedAt
            self.retainUntil = retainUntil
        }
    }

    /// A delivery to create, with what it delivers to its recipient.
    public struct Delivery: Sendable {
        public var id: DeliveryID
        public var recipient: AgencyID
        public var state: DeliveryState
        public var envelope: DeliveryEnvelope

        public init(id: DeliveryID, recipient: AgencyID, state: DeliveryState = .pending, envelope: DeliveryEnvelope) {
            self.id = id
            self.recipient = recipient
            self.state = state
            self.envelope = envelope
        }
    }

    public var message: Message
    public var deliveries: [Delivery]
    public var audit: [AuditRecord]

    public init(message: Message, deliveries: [Delivery], audit: [AuditRecord]) {
        self.message = message
        self.deliveries = deliveries
        self.audit = audit
    }
}

/// A change to one delivery and the audit records that explain it, written together.
public struct DeliveryUpdate: Sendable {
    public var deliveryID: DeliveryID
    public var state: DeliveryState
    public var countsAsAttempt: Bool
    public var audit: [AuditRecord]

    public init(deliveryID: DeliveryID, state: DeliveryState, countsAsAttempt: Bool = false, audit: [AuditRecord]) {
        self.deliveryID = deliveryID
        self.state = state
        self.countsAsAttempt = countsAsAttempt
        self.audit = audit
    }
}

/// An agreement set being activated: its content, digest and who activated it.
public struct AgreementSetActivation: Sendable {
    public var digest: String
    public var content: [UInt8]
    public var activatedBy: String
    public var activatedAt: Date
    public var audit: [AuditRecord]
    /// Record the set only if the store holds none yet, and fail with `alreadyRecorded`
    /// otherwise: nodes starting together on an empty database then record the first set once.
    public var onlyIfNoneRecorded: Bool

    public init(digest: String, content: [UInt8], activatedBy: String, activatedAt: Date, audit: [AuditRecord], onlyIfNoneRecorded: Bool = false) {
        self.digest = digest
        self.content = content
        self.activatedBy = activatedBy
        self.activatedAt = activatedAt
        self.audit = audit
        self.onlyIfNoneRecorded = onlyIfNoneRecorded
    }
}

extension AgreementSetActivation {
    static let alreadyRecorded = StoreError(.alreadyRecorded, "the store holds an agreement set already; the set recorded first is in force")
}
