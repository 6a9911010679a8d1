public import AccordCore

/// A validated set of agreements with the registry and schemas they rely on. The only way to
/// obtain one from files is `load`, which refuses a set with any problem, so a value of this
/// type has passed every check.
public struct AgreementSet: Sendable {
    public let agencies: [AgencyID: Agency]
    /// Partner gateways by id, and which of them serves each agency behind one (docs/federation.md).
    public let gateways: [String: PartnerGateway]
    public let gatewayServing: [AgencyID: PartnerGateway]
    public let purposes: [String: Purpose]
    public let schemas: [String: MessageSchema]
    /// Sorted by id: candidates are always listed, and ties broken, in this order.
    public let agreements: [Agreement]
    /// The SHA-256 the set's digests were computed with, for the digest of the whole set.
    public let hashing: any SHA256Hashing.Type
    /// One line per file besides the agreements that decides a message (the registry, the
    /// purposes, each schema): its name and SHA-256, so that the set's digest changes when an
    /// agency's CA, endpoint or certificate does, not only when an agreement does.
    public let groundDigests: [String]

    init(agencies: [Agency], purposes: [Purpose], schemas: [MessageSchema], agreements: [Agreement], hashing: any SHA256Hashing.Type,
         gateways: [PartnerGateway] = [], groundDigests: [String] = []) {
        self.hashing = hashing
        self.groundDigests = groundDigests.sorted()
        self.gateways = Dictionary(gateways.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var serving: [AgencyID: PartnerGateway] = [:]
        for gateway in gateways {
            for agency in gateway.serves where serving[agency] == nil { serving[agency] = gateway }
        }
        self.gatewayServing = serving
        self.agencies = Dictionary(agencies.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.purposes = Dictionary(purposes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.schemas = Dictionary(schemas.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })
        self.agreements = agreements.sorted { $0.id < $1.id }
    }

    public func agreement(id: AgreementID) -> Agreement? { agreements.first { $0.id == id } }

    /// Parses and validates `sources`. Throws `PolicyError.invalidAgreements` with every
    /// problem found. An active agreement past its `valid_until` is not a problem: it is out
    /// of force from that day (the engine decides by date), and the rest of the set is not
    /// held up by it. `today` stays for callers that check as of a day.
    public static func load(_ sources: AgreementSources, today: CalendarDate) throws(PolicyError) -> AgreementSet {
        let (set, diagnostics) = validate(sources, today: today)
        guard let set, diagnostics.isEmpty else {
            throw PolicyError(.invalidAgreements,
                              "\(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s") in \(sources.directory)",
                              diagnostics: diagnostics)
        }
        return set
    }

    /// Every problem in `sources`, in file order, and the set when there are none.
    public static func validate(_ sources: AgreementSources, today: CalendarDate) -> (AgreementSet?, [Diagnostic]) {
        let log = DiagnosticLog()
        let missingAt = { (name: String) in SourceLocation(file: "\(sources.directory)/\(name)", line: 1, column: 1) }
        var agencies: [Agency] = []
        var gateways: [ParsedGateway] = []
        if let file = sources.agencies {
            agencies = RegistryLoader.agencies(file, log: log, gateways: &gateways)
        } else {
            log.add(.missingFile, missingAt("agencies.yaml"), "the agency registry agencies.yaml is missing")
        }
        var purposes: [Purpose] = []
        if let file = sources.purposes {
            purposes = RegistryLoader.purposes(file, log: log)
        } else {
            log.add(.missingFile, missingAt("purposes.yaml"), "the purposes file purposes.yaml is missing")
        }
        var schemas: [MessageSchema] = []
        var schemaSeen: [String: SourceLocation] = [:]
        for file in sources.schemas {
            guard let (schema, at) = SchemaLoader.schema(file, log: log) else { continue }
            if let first = schemaSeen[schema.type] {
                log.add(.duplicateMessageType, at, "message type '\(schema.type)' is already defined at \(first)")
                continue
            }
            schemaSeen[schema.type] = at
            schemas.append(schema)
        }
        if sources.schemas.isEmpty {
            log.add(.missingFile, missingAt("schemas"), "no message schemas found in schemas/")
        }
        let hasher = sources.hashing.init()
        let parsed = sources.agreements.compactMap { AgreementLoader.agreement($0, hasher: hasher, log: log) }
        let ground = ([sources.agencies, sources.purposes].compactMap { $0 } + sources.schemas).map {
            "\(sources.relativeName(of: $0)) \(hasher.digest(of: $0.bytes).hex)"
        }
        let set = AgreementSet(agencies: agencies, purposes: purposes, schemas: schemas, agreements: parsed.map(\.agreement),
                               hashing: sources.hashing, gateways: gateways.map(\.gateway), groundDigests: ground)
        FederationChecks(agencies: set.agencies, gateways: gateways, log: log).run()
        SetChecks(set: set, parsed: parsed, log: log).run()
        let diagnostics = log.items
        return (diagnostics.isEmpty ? set : nil, diagnostics)
    }
}
