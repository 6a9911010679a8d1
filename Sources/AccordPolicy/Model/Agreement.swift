public import AccordCore

/// One information-sharing agreement, from `Agreements/<id>.yaml`.
public struct Agreement: Sendable, Hashable {
    public let id: AgreementID
    public let title: String
    public let version: Int
    public let status: AgreementStatus
    public let legalBasis: [LegalBasis]
    public let parties: [AgencyID]
    public let validFrom: CalendarDate
    public let validUntil: CalendarDate
    public let reviewBy: CalendarDate
    public let flows: [Flow]
    /// SHA-256 (hex) of the agreement file's bytes: names exactly the text that decided.
    public let digest: String
    public let file: String

    public init(id: AgreementID, title: String, version: Int, status: AgreementStatus, legalBasis: [LegalBasis],
                parties: [AgencyID], validFrom: CalendarDate, validUntil: CalendarDate, reviewBy: CalendarDate,
                flows: [Flow], digest: String, file: String) {
        self.id = id
        self.title = title
        self.version = version
        self.status = status
        self.legalBasis = legalBasis
        self.parties = parties
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.reviewBy = reviewBy
        self.flows = flows
        self.digest = digest
        self.file = file
    }

    /// Whether the agreement carries messages on `date`.
    public func isInEffect(on date: CalendarDate) -> Bool {
        status == .active && validFrom <= date && date <= validUntil
    }
}

/// The law an agreement relies on: an enactment and provision, or a Privacy Act principle.
public struct LegalBasis: Sendable, Hashable {
    public let instrument: String
    public let provision: String
    public let summary: String

    public init(instrument: String, provision: String, summary: String) {
        self.instrument = instrument
        self.provision = provision
        self.summary = summary
    }
}

/// One permitted exchange inside an agreement: who may send what, to whom, why, and which claims go.
public struct Flow: Sendable, Hashable {
    /// 1-based position in the agreement's `flows` list, as people count.
    public let number: Int
    public let from: [AgencyID]
    public let to: [AgencyID]
    public let types: [String]
    public let purposes: [String]
    public let maxClassification: Classification
    public let handling: HandlingCode
    public let disclose: [String]
    public let neverDisclose: [String]
    public let review: ReviewRequirement?
    public let safeguard: IPP12Safeguard?
    /// The statutory basis for sending child-tagged claims to an agency that is not a child
    /// welfare and protection agency; without it such claims are withheld.
    public let childClaimsBasis: String?
    /// When deliveries are held for a privacy officer; `review: privacy-officer` reads as `hold: always`.
    public let hold: HoldRule?
    public let location: SourceLocation

    public init(number: Int, from: [AgencyID], to: [AgencyID], types: [String], purposes: [String],
                maxClassification: Classification, handling: HandlingCode, disclose: [String],
                neverDisclose: [String], review: ReviewRequirement?, safeguard: IPP12Safeguard?,
                childClaimsBasis: String?, hold: HoldRule? = nil, location: SourceLocation) {
        self.number = number
        self.from = from
        self.to = to
        self.types = types
        self.purposes = purposes
        self.maxClassification = maxClassification
        self.handling = handling
        self.disclose = disclose
        self.neverDisclose = neverDisclose
        self.review = review
        self.safeguard = safeguard
        self.childClaimsBasis = childClaimsBasis
        self.hold = hold ?? (review != nil ? .alwaysOnce : nil)
        self.location = location
    }

    /// Whether some deliveries may be held: always, or when a condition is met.
    public var isHeld: Bool { hold != nil }
}
