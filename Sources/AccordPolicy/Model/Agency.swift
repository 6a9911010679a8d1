public import AccordCore

/// A party that sends or receives messages through Accord, from `Agreements/agencies.yaml`.
public struct Agency: Sendable, Hashable {
    public let id: AgencyID
    public let name: String
    /// ISO 3166-1 alpha-2 code; anything but the registry's home makes the agency an overseas recipient.
    public let jurisdiction: String
    /// The registry's `home_jurisdiction` (default `NZ`): the jurisdiction of the gateway that
    /// reads it, so that a partner's Accord can list New Zealand agencies as overseas
    /// (docs/federation.md, "Both directions").
    public let home: String
    public let kind: AgencyKind
    /// A child welfare and protection agency within Oranga Tamariki Act 1989 s2.
    public let isChildWelfareAgency: Bool
    /// The identity its client certificate must carry: `urn:accord:agency:<id>`.
    public let certificate: String
    public let endpoint: String?
    public let contact: String?
    /// The CA that issues its TLS and signing certificates: a file under the gateway's
    /// certificates directory, where its `ca:` key sits. Nil: the gateway's own CA (`ca.pem`).
    public let issuingCA: String?
    /// Where `issuingCA` was written, for problems found when the gateway reads the file.
    public let issuingCALocation: SourceLocation?

    public init(id: AgencyID, name: String, jurisdiction: String, kind: AgencyKind, isChildWelfareAgency: Bool,
                certificate: String, endpoint: String? = nil, contact: String? = nil, issuingCA: String? = nil,
                issuingCALocation: SourceLocation? = nil, home: String = "NZ") {
        self.id = id
        self.home = home
        self.name = name
        self.jurisdiction = jurisdiction
        self.kind = kind
        self.isChildWelfareAgency = isChildWelfareAgency
        self.certificate = certificate
        self.endpoint = endpoint
        self.contact = contact
        self.issuingCA = issuingCA
        self.issuingCALocation = issuingCALocation
    }

    public var isOverseas: Bool { jurisdiction != home }

    /// The home jurisdiction as messages name it: New Zealand by name, another by its code,
    /// so that a registry run for Australia is not told its agencies are New Zealand's.
    public var homeName: String { home == "NZ" ? "New Zealand" : "\(home) (this registry's home_jurisdiction)" }
}

/// A purpose a message may state, from `Agreements/purposes.yaml`.
public struct Purpose: Sendable, Hashable {
    public let id: String
    public let description: String

    public init(id: String, description: String) {
        self.id = id
        self.description = description
    }
}
