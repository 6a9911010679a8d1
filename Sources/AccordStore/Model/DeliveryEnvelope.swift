public import AccordCore
public import AccordAudit

/// What a delivery keeps between acceptance and pick-up: the SD-JWT already redacted for its
/// recipient and the decision the gateway binds into the key-binding JWT when the recipient
/// pulls it (so that its `iat` is fresh and `accord.audit_leaf` names the leaf recording the
/// pick-up). Stored as columns of the delivery row, never as a document to parse back.
public struct DeliveryEnvelope: Sendable, Equatable {
    /// The SD-JWT as redacted for this recipient; nil once retention purged it. The rest is
    /// metadata the audit log holds too, so it outlives the text.
    public var redacted: String?
    public var sender: AgencyID
    public var type: String
    public var purpose: String
    public var agreementID: AgreementID
    public var agreementDigest: String
    /// Claim paths the schema knows that this recipient does not receive.
    public var withheld: [String]
    public var receivedMilliseconds: Int64
    /// The flow's handling code; nil in rows written before it was kept.
    public var handling: String?
    /// Keyed hashes of the identifiers this recipient is given; nil in rows written before
    /// they were kept.
    public var subjects: [SubjectHash]?
    /// The thumbprint of the binding key the message names in `cnf.jwk`; nil in rows written
    /// before binding keys rotated (the current key then).
    public var binding: String?

    public init(
        redacted: String?, sender: AgencyID, type: String, purpose: String, agreementID: AgreementID, agreementDigest: String,
        withheld: [String], receivedMilliseconds: Int64, handling: String? = nil, subjects: [SubjectHash]? = nil,
        binding: String? = nil
    ) {
        self.redacted = redacted
        self.sender = sender
        self.type = type
        self.purpose = purpose
        self.agreementID = agreementID
        self.agreementDigest = agreementDigest
        self.withheld = withheld
        self.receivedMilliseconds = receivedMilliseconds
        self.handling = handling
        self.subjects = subjects
        self.binding = binding
    }
}
