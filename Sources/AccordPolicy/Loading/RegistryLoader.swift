import AccordCore
import Yams

/// Reads `agencies.yaml` and `purposes.yaml`.
enum RegistryLoader {
    static let agencyKeys = ["id", "name", "jurisdiction", "kind", "child_welfare_agency", "certificate", "endpoint",
                             "contact", "ca"]

    /// The agencies; entries of kind `gateway` go to `gateways` (docs/federation.md).
    static func agencies(_ file: AgreementSources.File, log: DiagnosticLog, gateways: inout [ParsedGateway]) -> [Agency] {
        guard let root = YAMLDocument.parse(file, log: log),
              let top = MappingReader(root, file: file.path, what: "the agency registry", allowed: ["home_jurisdiction", "agencies"], log: log),
              let items = top.sequence("agencies", in: "the agency registry")
        else { return [] }
        let home = top.string("home_jurisdiction", in: "the agency registry", required: false) ?? "NZ"
        if !(home.count == 2 && home.allSatisfy { $0.isASCII && $0.isUppercase }) {
            log.add(.invalidJurisdiction, top.location(of: "home_jurisdiction"),
                    "home_jurisdiction '\(home)' must be an ISO 3166-1 alpha-2 country code such as NZ or AU")
        }
        var out: [Agency] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            if PartnerGatewayLoader.isGateway(item) {
                if let gateway = PartnerGatewayLoader.gateway(item, file: file.path, log: log) { gateways.append(gateway) }
                continue
            }
            guard let m = MappingReader(item, file: file.path, what: "an agency", allowed: agencyKeys, log: log) else {
                continue
            }
            let id = m.string("id", in: "an agency")
            let what = id.map { "agency '\($0)'" } ?? "an agency"
            let name = m.string("name", in: what)
            let jurisdiction = m.string("jurisdiction", in: what)
            let kindText = m.string("kind", in: what)
            let child = m.bool("child_welfare_agency", in: what)
            let certificate = m.string("certificate", in: what)
            let endpoint = m.string("endpoint", in: what, required: false)
            let contact = m.string("contact", in: what, required: false)
            let issuingCA = m.string("ca", in: what, required: false)
            if let issuingCA, issuingCA.isEmpty || issuingCA.hasPrefix("/") || issuingCA.split(separator: "/").contains("..") {
                log.add(.invalidCAPath, m.location(of: "ca"),
                        "ca '\(issuingCA)' must be a file under the certificates directory, such as partners/fiji-ca.pem")
            }

            if let id {
                if !Identifier.isValid(id) {
                    log.add(.invalidIdentifier, m.location(of: "id"),
                            "agency id '\(id)' must be lowercase letters, digits, '.', '-' or '_', starting with a letter")
                }
                if let first = seen[id] {
                    log.add(.duplicateAgency, m.location(of: "id"), "agency id '\(id)' is already defined at \(first)")
                } else {
                    seen[id] = m.location(of: "id")
                }
            }
            // The name becomes the organisation (O) of the agency's certificates, which X.509
            // limits to 64 characters (RFC 5280, ub-organization-name).
            if let name, name.unicodeScalars.count > 64 {
                log.add(.invalidAgencyName, m.location(of: "name"),
                        "agency name is \(name.unicodeScalars.count) characters; certificates allow at most 64")
            }
            if let jurisdiction, !(jurisdiction.count == 2 && jurisdiction.allSatisfy { $0.isASCII && $0.isUppercase }) {
                log.add(.invalidJurisdiction, m.location(of: "jurisdiction"),
                        "jurisdiction '\(jurisdiction)' must be an ISO 3166-1 alpha-2 country code such as NZ or AU")
            }
            var kind: AgencyKind?
            if let kindText {
                kind = AgencyKind(rawValue: kindText)
                if kind == nil {
                    log.add(.invalidAgencyKind, m.location(of: "kind"),
                            "kind '\(kindText)' is not one of: \(AgencyKind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            // `nz-government` names the registry's own government agencies: New Zealand's unless
            // the registry sets another home_jurisdiction.
            if let kind, let jurisdiction, (kind == .nzGovernment) != (jurisdiction == home) {
                log.add(.kindJurisdictionMismatch, m.location(of: "kind"),
                        home == "NZ"
                            ? "kind '\(kind.rawValue)' does not fit jurisdiction '\(jurisdiction)': New Zealand agencies are nz-government, others overseas-authority"
                            : "kind '\(kind.rawValue)' does not fit jurisdiction '\(jurisdiction)': agencies of the home jurisdiction \(home) are nz-government, others overseas-authority")
            }
            if let id, let certificate, certificate != "urn:accord:agency:\(id)" {
                log.add(.certificateMismatch, m.location(of: "certificate"),
                        "certificate must be the identity 'urn:accord:agency:\(id)'")
            }
            if let endpoint, !endpoint.hasPrefix("https://") || endpoint.count <= "https://".count {
                log.add(.invalidEndpoint, m.location(of: "endpoint"), "endpoint must be an https:// URL")
            }
            if let id, let name, let jurisdiction, let kind, let child, let certificate {
                out.append(Agency(id: AgencyID(id), name: name, jurisdiction: jurisdiction, kind: kind, isChildWelfareAgency: child,
                                  certificate: certificate, endpoint: endpoint, contact: contact,
                                  issuingCA: issuingCA, issuingCALocation: issuingCA == nil ? nil : m.location(of: "ca"), home: home))
            }
        }
        return out
    }

    static func purposes(_ file: AgreementSources.File, log: DiagnosticLog) -> [Purpose] {
        guard let root = YAMLDocument.parse(file, log: log),
              let top = MappingReader(root, file: file.path, what: "the purposes file", allowed: ["purposes"], log: log),
              let items = top.sequence("purposes", in: "the purposes file")
        else { return [] }
        var out: [Purpose] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let m = MappingReader(item, file: file.path, what: "a purpose", allowed: ["id", "description"], log: log),
                  let id = m.string("id", in: "a purpose")
            else { continue }
            let description = m.string("description", in: "purpose '\(id)'") ?? ""
            if !Identifier.isValid(id) {
                log.add(.invalidIdentifier, m.location(of: "id"),
                        "purpose '\(id)' must be lowercase letters, digits, '.', '-' or '_', starting with a letter")
            }
            if let first = seen[id] {
                log.add(.duplicatePurpose, m.location(of: "id"), "purpose '\(id)' is already defined at \(first)")
                continue
            }
            seen[id] = m.location(of: "id")
            out.append(Purpose(id: id, description: description))
        }
        return out
    }
}
