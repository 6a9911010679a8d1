/// What an Accord message says in clear about where it goes and why: the issuer (`iss`) and
/// the `accord` object. The gateway routes and decides on these alone, never on a disclosed
/// value; the policy evaluates them, the message layer reads them from the signed payload.
public struct RoutingClaims: Sendable, Hashable {
    /// The issuing agency (`iss`).
    public var issuer: AgencyID
    /// `accord.type`: the message type, naming its schema.
    public var type: String
    /// `accord.to`: one or more recipient agencies, each named once.
    public var recipients: [AgencyID]
    public var purpose: String
    public var classification: String
    /// `accord.agreement`: the agreement the sender invokes, required where several cover one flow.
    public var agreement: AgreementID?
    /// `accord.case_ref`: the sender's case reference, if any.
    public var caseReference: String?

    public init(
        issuer: AgencyID, type: String, recipients: [AgencyID], purpose: String, classification: String,
        agreement: AgreementID? = nil, caseReference: String? = nil
    ) {
        self.issuer = issuer
        self.type = type
        self.recipients = recipients
        self.purpose = purpose
        self.classification = classification
        self.agreement = agreement
        self.caseReference = caseReference
    }
}
