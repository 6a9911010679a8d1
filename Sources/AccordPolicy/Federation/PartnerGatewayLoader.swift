import AccordCore
import Yams

/// A partner gateway as read, with where each served agency was written, for the set checks.
struct ParsedGateway {
    let gateway: PartnerGateway
    let idLocation: SourceLocation
    let serves: [Located<String>]
}

/// Reads an `agencies.yaml` entry of kind `gateway` (docs/federation.md, "The registry entry").
enum PartnerGatewayLoader {
    static let keys = ["id", "name", "jurisdiction", "kind", "ca", "endpoint", "binding_key", "serves", "contact"]

    /// Whether a registry item is a gateway entry rather than an agency.
    static func isGateway(_ node: Node) -> Bool {
        node["kind"]?.scalar?.string == AgencyKind.gatewayKind
    }

    static func gateway(_ node: Node, file: String, log: DiagnosticLog) -> ParsedGateway? {
        guard let m = MappingReader(node, file: file, what: "a partner gateway", allowed: keys, log: log) else { return nil }
        let id = m.string("id", in: "a partner gateway")
        let what = id.map { "partner gateway '\($0)'" } ?? "a partner gateway"
        let name = m.string("name", in: what)
        let jurisdiction = m.string("jurisdiction", in: what)
        let ca = m.string("ca", in: what)
        let endpoint = m.string("endpoint", in: what)
        let bindingKey = m.string("binding_key", in: what)
        let serves = m.strings("serves", in: what)
        let contact = m.string("contact", in: what, required: false)
        if let id, !Identifier.isValid(id) {
            log.add(.invalidIdentifier, m.location(of: "id"),
                    "partner gateway id '\(id)' must be lowercase letters, digits, '.', '-' or '_', starting with a letter")
        }
        if let jurisdiction, !(jurisdiction.count == 2 && jurisdiction.allSatisfy { $0.isASCII && $0.isUppercase }) {
            log.add(.invalidJurisdiction, m.location(of: "jurisdiction"),
                    "jurisdiction '\(jurisdiction)' must be an ISO 3166-1 alpha-2 country code such as NZ or AU")
        }
        for (key, path) in [("ca", ca), ("binding_key", bindingKey)] {
            if let path, !isRelativeFile(path) {
                log.add(.invalidCAPath, m.location(of: key),
                        "\(key) '\(path)' must be a file under the certificates directory, such as partners/au-ca.pem")
            }
        }
        if let endpoint, !endpoint.hasPrefix("https://") || endpoint.count <= "https://".count {
            log.add(.invalidEndpoint, m.location(of: "endpoint"), "endpoint must be an https:// URL")
        }
        if let serves, serves.isEmpty {
            log.add(.emptyList, m.location(of: "serves"), "\(what) must name the agencies it serves in 'serves'")
        }
        guard let id, let name, let jurisdiction, let ca, let endpoint, let bindingKey, let serves else { return nil }
        let gateway = PartnerGateway(
            id: id, name: name, jurisdiction: jurisdiction, issuingCA: ca, issuingCALocation: m.location(of: "ca"),
            endpoint: endpoint, bindingKey: bindingKey, bindingKeyLocation: m.location(of: "binding_key"),
            serves: serves.map { AgencyID($0.value) }, contact: contact)
        return ParsedGateway(gateway: gateway, idLocation: m.location(of: "id"), serves: serves)
    }

    private static func isRelativeFile(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }
}

extension AgencyKind {
    /// The `kind:` of a registry entry that is a partner gateway, not an agency.
    static let gatewayKind = "gateway"
}
