/// Which CA may issue certificates for which Accord identity (docs/operations.md, "Agencies
/// and their CAs"). A certificate speaks for agency X only when its verified chain passes
/// through a CA registered for X; an operator certificate only when it passes through the
/// operator CA. A CA that no binding names speaks for nobody, even if it is a trust anchor.
///
/// CAs are compared by the SHA-256 fingerprint of their DER encoding, so a second CA with the
/// same subject name (a look-alike) is a different CA.
public struct IssuerBindings: Sendable, Equatable {
    /// Agency id → fingerprints of the CAs that issue its certificates.
    public let agencies: [String: Set<String>]
    /// Fingerprints of the CAs that issue operator certificates.
    public let operators: Set<String>
    /// Partner gateway id → fingerprints of the CAs that issue its gateway certificates.
    public let gateways: [String: Set<String>]
    /// False only for `unbound`: every anchor may issue for any identity.
    public let enforced: Bool

    public init(agencies: [String: [Certificate]], operators: [Certificate], gateways: [String: [Certificate]] = [:]) {
        self.agencies = agencies.mapValues { Set($0.map(\.fingerprintSHA256)) }
        self.operators = Set(operators.map(\.fingerprintSHA256))
        self.gateways = gateways.mapValues { Set($0.map(\.fingerprintSHA256)) }
        enforced = true
    }

    private init() {
        agencies = [:]
        operators = []
        gateways = [:]
        enforced = false
    }

    /// No bindings: for a TLS client checking a server, and for tools that verify a chain
    /// without asking whom it speaks for. A gateway's listeners never use it.
    public static let unbound = IssuerBindings()

    /// Refuses `leaf` unless some CA above it in `chain` (leaf first, as verified) is bound
    /// to the identity the leaf carries.
    public func check(_ leaf: Certificate, chain: [Certificate]) throws(CertificateRejection) {
        guard enforced else { return }
        let issuers = Set(chain.dropFirst().map(\.fingerprintSHA256))
        let uris = leaf.subjectAlternativeURIs
        if let agency = try? AgencyIdentity(certificate: leaf) {
            guard let bound = agencies[agency.agencyID] else {
                throw CertificateRejection(.unregisteredIdentity,
                    "certificate \(leaf.subject) speaks for agency '\(agency.agencyID)', which is not in the agency registry")
            }
            guard !bound.isDisjoint(with: issuers) else {
                throw CertificateRejection(.wrongIssuer,
                    "certificate \(leaf.subject) speaks for agency '\(agency.agencyID)' but was not issued by the CA the registry names for it (ca: in agencies.yaml)")
            }
            return
        }
        if uris.contains(where: { $0.hasPrefix(Self.operatorPrefix) }) {
            guard !operators.isDisjoint(with: issuers) else {
                throw CertificateRejection(.wrongIssuer,
                    "operator certificate \(leaf.subject) was not issued by the operator CA (console.operator_ca in accord.yaml)")
            }
            return
        }
        if uris.contains(where: { $0.hasPrefix(Self.gatewayPrefix) }) {
            guard partner(of: chain) != nil else {
                throw CertificateRejection(.wrongIssuer,
                    "gateway certificate \(leaf.subject) was not issued by the CA of a partner gateway (ca: of a kind: gateway entry in agencies.yaml)")
            }
            return
        }
        throw CertificateRejection(.missingAgencyIdentity,
            "certificate \(leaf.subject) carries no Accord identity (urn:accord:agency:<id> or urn:accord:operator:<role>:<name>)")
    }

    /// The partner gateway whose `ca:` is among the CAs of `chain` (leaf first, as verified);
    /// nil when none is. Two partners never share a CA in practice; if they did, the first by
    /// id answers, and the decision about what it sent still checks the pinned binding key.
    public func partner(of chain: [Certificate]) -> String? {
        let issuers = Set(chain.dropFirst().map(\.fingerprintSHA256))
        return gateways.keys.sorted().first { !gateways[$0, default: []].isDisjoint(with: issuers) }
    }

    static let operatorPrefix = "urn:accord:operator:"
    /// The identity of a gateway's push client certificate, which a partner presents when forwarding.
    public static let gatewayPrefix = "urn:accord:gateway:"
}
