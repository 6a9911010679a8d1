/// New Zealand Protective Security Requirements classifications that the gateway carries,
/// in ascending order of protection.
public enum Classification: String, Sendable, Hashable, CaseIterable, Comparable {
    case unclassified = "UNCLASSIFIED"
    case inConfidence = "IN-CONFIDENCE"
    case sensitive = "SENSITIVE"
    case restricted = "RESTRICTED"

    var rank: Int {
        switch self {
        case .unclassified: 0
        case .inConfidence: 1
        case .sensitive: 2
        case .restricted: 3
        }
    }

    public static func < (lhs: Classification, rhs: Classification) -> Bool { lhs.rank < rhs.rank }
}

/// Handling codes in the sense of Europol SIENA: what the recipient may do with what it receives.
public enum HandlingCode: String, Sendable, Hashable, CaseIterable {
    /// For the purposes of preventing and combating crime; no further restriction.
    case h0 = "H0"
    /// Not to be used as evidence in judicial proceedings without the provider's consent.
    case h1 = "H1"
    /// Not to be disseminated further without the provider's consent.
    case h2 = "H2"
    /// Other restrictions, stated in the agreement.
    case h3 = "H3"
}

/// The life cycle of an agreement. Only `active` agreements carry messages.
public enum AgreementStatus: String, Sendable, Hashable, CaseIterable {
    case draft
    case active
    case suspended
    case expired
}

/// Sensitivity tags on schema claims; `child` drives the Oranga Tamariki Act rule.
public enum SensitivityTag: String, Sendable, Hashable, CaseIterable {
    case identifier
    case child
    case health
    case victim
    case location
    case informant
}

/// Data types a schema claim may declare.
public enum ClaimDataType: String, Sendable, Hashable, CaseIterable {
    case string
    case integer
    case number
    case boolean
    case date
    case datetime
    case enumeration = "enum"
}

/// The Privacy Act 2020 IPP 12(1) ground relied on for a disclosure to a foreign person or
/// entity. Without one, a flow overseas does not load.
public enum IPP12Safeguard: String, Sendable, Hashable, CaseIterable {
    /// IPP 12(1)(a): the individual authorised it after being expressly informed.
    case authorisedByIndividual = "ipp12-1a-authorised"
    /// IPP 12(1)(b): the recipient carries on business in New Zealand and is subject to the Act.
    case subjectToPrivacyAct = "ipp12-1b-subject-to-act"
    /// IPP 12(1)(c): the recipient is subject to privacy laws with comparable safeguards.
    case comparableLaws = "ipp12-1c-comparable-laws"
    /// IPP 12(1)(d): the recipient participates in a prescribed binding scheme.
    case prescribedScheme = "ipp12-1d-prescribed-scheme"
    /// IPP 12(1)(e): the recipient is subject to the privacy laws of a prescribed country.
    case prescribedCountry = "ipp12-1e-prescribed-country"
    /// IPP 12(1)(f): the recipient is otherwise required, for example by agreement, to protect
    /// the information with comparable safeguards.
    case comparableSafeguardsByAgreement = "ipp12-1f-agreement"
}

/// Who must approve a flow's deliveries before they are released.
public enum ReviewRequirement: String, Sendable, Hashable, CaseIterable {
    case privacyOfficer = "privacy-officer"
}

/// Whether an agency is a New Zealand government agency or an overseas authority.
public enum AgencyKind: String, Sendable, Hashable, CaseIterable {
    case nzGovernment = "nz-government"
    case overseasAuthority = "overseas-authority"
}
