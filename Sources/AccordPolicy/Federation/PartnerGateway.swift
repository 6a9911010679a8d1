public import AccordCore
/// Another Accord gateway, from an `agencies.yaml` entry of kind `gateway`: the agencies it
/// serves are reached through it, and their messages arrive from it (docs/federation.md).
public struct PartnerGateway: Sendable, Hashable {
    public let id: String
    public let name: String
    /// ISO 3166-1 alpha-2 code of the partner's own jurisdiction.
    public let jurisdiction: String
    /// The CA that issues the partner's TLS certificates and its agencies' signing
    /// certificates: a file under the certificates directory.
    public let issuingCA: String
    public let issuingCALocation: SourceLocation
    /// Where forwards are POSTed: the partner's `/v1/federation/deliveries`.
    public let endpoint: String
    /// The partner's key-binding public key (PEM), pinned: a file under the certificates
    /// directory. Forwards that arrive from the partner must be bound with this key.
    public let bindingKey: String
    public let bindingKeyLocation: SourceLocation
    /// The overseas agencies behind the partner, each a registry agency of its own.
    public let serves: [AgencyID]
    public let contact: String?

    public init(id: String, name: String, jurisdiction: String, issuingCA: String, issuingCALocation: SourceLocation,
                endpoint: String, bindingKey: String, bindingKeyLocation: SourceLocation, serves: [AgencyID], contact: String? = nil) {
        self.id = id
        self.name = name
        self.jurisdiction = jurisdiction
        self.issuingCA = issuingCA
        self.issuingCALocation = issuingCALocation
        self.endpoint = endpoint
        self.bindingKey = bindingKey
        self.bindingKeyLocation = bindingKeyLocation
        self.serves = serves
        self.contact = contact
    }
}
