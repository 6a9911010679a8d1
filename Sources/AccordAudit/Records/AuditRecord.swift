public import AccordCore
public import Foundation

/// One audit event, as it becomes one leaf. It carries metadata only: identities, claim
/// paths, reason codes, digests and keyed hashes of identifiers, never a payload value.
public struct AuditRecord: Sendable, Equatable {
    public var event: AuditEvent
    /// Milliseconds since the Unix epoch; the leaf holds it as RFC 3339 UTC text.
    public var timeMilliseconds: Int64
    /// The agency or operator identity that caused the event.
    public var actor: String
    public var messageID: MessageID?
    public var deliveryID: DeliveryID?
    /// The sender as it named itself; a refused message's may be no registered agency.
    public var from: AgencyID?
    public var to: [AgencyID]
    public var agreement: AgreementReference?
    /// Claim paths forwarded, e.g. `subject.nationality`.
    public var disclosed: [String]
    /// Claim paths withheld by the agreement.
    public var withheld: [String]
    /// Machine-readable reason code of the decision.
    public var reason: String?
    /// `sha-256:<hex>` of the submitted SD-JWT text.
    public var submissionDigest: String?
    public var subjects: [SubjectHash]
    /// Further metadata (certificate fingerprints, query filters as hashes, counts); never
    /// payload values.
    public var details: [String: String]

    public init(
        event: AuditEvent, time: Date, actor: String, messageID: MessageID? = nil, deliveryID: DeliveryID? = nil,
        from: AgencyID? = nil, to: [AgencyID] = [], agreement: AgreementReference? = nil,
        disclosed: [String] = [], withheld: [String] = [], reason: String? = nil,
        submissionDigest: String? = nil, subjects: [SubjectHash] = [], details: [String: String] = [:]
    ) {
        self.event = event
        self.timeMilliseconds = AuditTime.milliseconds(time)
        self.actor = actor
        self.messageID = messageID
        self.deliveryID = deliveryID
        self.from = from
        self.to = to
        self.agreement = agreement
        self.disclosed = disclosed
        self.withheld = withheld
        self.reason = reason
        self.submissionDigest = submissionDigest
        self.subjects = subjects
        self.details = details
    }

    public var time: Date {
        Date(timeIntervalSince1970: Double(timeMilliseconds) / 1000)
    }
}
