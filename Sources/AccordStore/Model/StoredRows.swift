public import AccordCore
public import AccordAudit
public import Foundation

/// One stored leaf: its index, canonical bytes and the leaf hash recorded at append time.
public struct StoredLeaf: Sendable, Equatable {
    public let index: UInt64
    public let bytes: [UInt8]
    public let leafHash: [UInt8]

    public init(index: UInt64, bytes: [UInt8], leafHash: [UInt8]) {
        self.index = index
        self.bytes = bytes
        self.leafHash = leafHash
    }
}

/// One stored signed checkpoint.
public struct StoredCheckpoint: Sendable, Equatable {
    public let sequence: Int64
    public let size: UInt64
    public let rootHash: [UInt8]
    public let note: String
    public let createdAt: Date
}

/// A stored message; `sdJWT` is nil once retention has purged it.
public struct StoredMessage: Sendable, Equatable {
    public let id: MessageID
    public let sender: AgencyID
    public let sdJWT: String?
    public let submissionDigest: String
    public let receivedAt: Date
    public let retainUntil: Date
}

/// A stored delivery.
public struct StoredDelivery: Sendable, Equatable {
    public let id: DeliveryID
    public let messageID: MessageID
    public let recipient: AgencyID
    public let state: DeliveryState
    /// What it delivers; nil only in rows purged before the envelope was kept as columns.
    public let envelope: DeliveryEnvelope?
    public let attempts: Int
    public let updatedAt: Date
}

/// A delivery with its place in the recipient's inbox, the cursor for the next page.
public struct InboxEntry: Sendable, Equatable {
    public let sequence: Int64
    public let delivery: StoredDelivery
}

/// A stored agreement set version.
public struct StoredAgreementSet: Sendable, Equatable {
    public let version: Int64
    public let digest: String
    public let content: [UInt8]
    public let activatedBy: String
    public let activatedAt: Date
    public let auditLeaf: UInt64?
}

/// Filters of `accord audit query`; all given filters must hold.
public struct AuditQuery: Sendable, Equatable {
    public var since: Date?
    public var until: Date?
    /// Matches the actor, the sender or any recipient.
    public var agency: AgencyID?
    public var agreementID: AgreementID?
    public var events: [AuditEvent]
    public var messageID: MessageID?
    public var subject: SubjectHash?
    public var limit: Int?
    /// Only leaves at this index or later: for reading a long result a page at a time.
    public var startIndex: UInt64?

    public init(since: Date? = nil, until: Date? = nil, agency: AgencyID? = nil, agreementID: AgreementID? = nil,
                events: [AuditEvent] = [], messageID: MessageID? = nil, subject: SubjectHash? = nil, limit: Int? = nil,
                startIndex: UInt64? = nil) {
        self.since = since
        self.until = until
        self.agency = agency
        self.agreementID = agreementID
        self.events = events
        self.messageID = messageID
        self.subject = subject
        self.limit = limit
        self.startIndex = startIndex
    }
}
