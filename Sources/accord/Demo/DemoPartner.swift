import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordPolicyFiles
import Foundation

/// The Australian side of the demo (docs/federation.md): a second gateway on loopback with its
/// own development PKI (a CA named for AU), registry (`home_jurisdiction: AU`), inbound
/// agreement and database, joined to the demo's New Zealand gateway the way two deployments
/// are: each pins the other's CA and binding key, and each registry names the other's gateway.
struct DemoPartner {
    /// Where the Australian gateway keeps its PKI, agreements and database.
    let directory: URL
    let pki: DevelopmentPKI
    let agreements: URL
    var database: String { directory.appendingPathComponent("accord.sqlite").path }

    /// The id New Zealand's registry gives the Australian gateway, and the agency behind it.
    static let gatewayID = "au.gateway"
    static let agency = "au.abf"

    /// Australia's registry: au.abf is its own; nz.customs, whose requests it receives, is
    /// overseas there and reached through New Zealand's gateway.
    static func registry(newZealandPort: Int) -> String {
        """
        home_jurisdiction: AU
        agencies:
          - id: au.abf
            name: Australian Border Force
            jurisdiction: AU
            kind: nz-government
            child_welfare_agency: false
            certificate: urn:accord:agency:au.abf
          - id: nz.customs
            name: New Zealand Customs Service
            jurisdiction: NZ
            kind: overseas-authority
            child_welfare_agency: false
            certificate: urn:accord:agency:nz.customs
            ca: partners/nz-ca.pem
          - id: nz.gateway
            name: New Zealand Accord gateway
            jurisdiction: NZ
            kind: gateway
            ca: partners/nz-ca.pem
            endpoint: https://localhost:\(newZealandPort)/v1/federation/deliveries
            binding_key: partners/nz-binding.pem
            serves: [nz.customs]

        """
    }

    /// Australia's own agreement to receive what New Zealand's customs-abf-s318 discloses.
    static let inboundAgreement = """
        id: abf-customs-inbound
        title: ABF receipt of NZ Customs border intelligence (demo)
        version: 1
        status: active
        legal_basis:
          - instrument: Customs Act 1901 (Cth)
            provision: s16
            summary: The ABF may receive information from an overseas customs administration.
        parties: [nz.customs, au.abf]
        valid_from: 2024-01-01
        valid_until: 2029-12-31
        review_by: 2027-01-01
        flows:
          - from: [nz.customs]
            to: [au.abf]
            types: [intelligence-request, indicator-report]
            purposes: [law-enforcement, border-security]
            max_classification: SENSITIVE
            handling: H2
            disclose: [request, subject.family_name, subject.given_names, subject.date_of_birth, subject.nationality,
                       subject.passport_number, travel, organisation.name, 'indicators[*]', workplace.industry]

        """

    /// The entry New Zealand's registry gets for the Australian gateway listening on `port`.
    static func newZealandEntry(australianPort: Int) -> String {
        """
          - id: \(gatewayID)
            name: Australian Accord gateway
            jurisdiction: AU
            kind: gateway
            ca: partners/au-ca.pem
            endpoint: https://localhost:\(australianPort)/v1/federation/deliveries
            binding_key: partners/au-binding.pem
            serves: [\(agency)]

        """
    }

    /// Makes (or keeps) the Australian PKI and writes its agreements beside `newZealandAgreements`'
    /// schemas and purposes. `newZealandPort`: where its registry says New Zealand's gateway is
    /// (the demo sends nothing that way).
    static func prepare(in directory: URL, newZealandAgreements: URL, newZealandPort: Int) throws -> DemoPartner {
        var pki = DevelopmentPKI(directory: directory.appendingPathComponent("pki"))
        pki.jurisdiction = "AU"
        _ = try pki.ensure(agencies: [DevelopmentPKI.Agency(id: agency, name: "Australian Border Force"),
                                      DevelopmentPKI.Agency(id: "nz.customs", name: "New Zealand Customs Service")])
        let agreements = directory.appendingPathComponent("agreements")
        try? FileManager.default.removeItem(at: agreements)
        try FileManager.default.createDirectory(at: agreements, withIntermediateDirectories: true)
        for item in ["schemas", "purposes.yaml"] {
            try FileManager.default.copyItem(at: newZealandAgreements.resolvingSymlinksInPath().appendingPathComponent(item),
                                             to: agreements.appendingPathComponent(item))
        }
        try registry(newZealandPort: newZealandPort).write(to: agreements.appendingPathComponent("agencies.yaml"), atomically: true, encoding: .utf8)
        try inboundAgreement.write(to: agreements.appendingPathComponent("abf-customs-inbound.yaml"), atomically: true, encoding: .utf8)
        return DemoPartner(directory: directory, pki: pki, agreements: agreements)
    }

    /// What each side pins for the other, as their operators would exchange it: the CA and the
    /// binding public key; and for Australia, nz.customs's signing certificate.
    func join(newZealand: DevelopmentPKI) throws {
        try Self.pin(from: pki, into: newZealand, as: "au")
        try Self.pin(from: newZealand, into: pki, as: "nz")
        let signing = "agencies/nz.customs/signing.pem"
        let target = pki.directory.appendingPathComponent(signing)
        try? FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: newZealand.directory.appendingPathComponent(signing), to: target)
    }

    private static func pin(from: DevelopmentPKI, into: DevelopmentPKI, as name: String) throws {
        let partners = into.directory.appendingPathComponent("partners")
        try FileManager.default.createDirectory(at: partners, withIntermediateDirectories: true)
        let ca = partners.appendingPathComponent("\(name)-ca.pem")
        try? FileManager.default.removeItem(at: ca)
        try FileManager.default.copyItem(at: from.caCertificate, to: ca)
        try PrivateKey(pemFile: from.gatewayBindingKey.path).publicKey.pem()
            .write(to: partners.appendingPathComponent("\(name)-binding.pem"), atomically: true, encoding: .utf8)
    }

    /// A copy of New Zealand's agreements in `directory` whose registry names the Australian
    /// gateway on `australianPort` as the partner serving au.abf.
    static func newZealandAgreements(copying source: URL, into directory: URL, australianPort: Int) throws -> URL {
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        // The agreements are often a symbolic link: copy what it points at, never the link.
        try FileManager.default.copyItem(at: source.resolvingSymlinksInPath(), to: directory)
        let registry = directory.appendingPathComponent("agencies.yaml")
        try (String(contentsOf: registry, encoding: .utf8) + newZealandEntry(australianPort: australianPort))
            .write(to: registry, atomically: true, encoding: .utf8)
        return directory
    }

    /// How au.abf's system verifies what its own gateway hands it: nz.customs's signature
    /// against New Zealand's CA as pinned, the key binding by the `cnf` key the SD-JWT names.
    func recipientVerifier() throws -> SDJWTVerifier {
        let anchors = try Certificate.all(pemFile: pki.directory.appendingPathComponent("partners/nz-ca.pem").path)
        let signing = try Certificate.all(pemFile: pki.directory.appendingPathComponent("agencies/nz.customs/signing.pem").path)
        return SDJWTVerifier(resolver: AgencySigningKeys(trustStore: try TrustStore(anchors: anchors), certificates: signing))
    }

    /// New Zealand's agreements with the IPP 12 safeguard taken out of customs-abf-s318: the
    /// diagnostics that keep such a set from loading, so nothing under it is ever accepted.
    static func withoutSafeguard(_ agreements: URL, scratch: URL, on day: CalendarDate) throws -> [Diagnostic] {
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: scratch.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: agreements.resolvingSymlinksInPath(), to: scratch)
        let file = scratch.appendingPathComponent("customs-abf-s318.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("ipp12_safeguard:") }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        do {
            _ = try AgreementSet.load(try AgreementSources.read(directory: scratch, hashing: SHA256.Hasher.self), today: day)
            return []
        } catch {
            return error.diagnostics
        }
    }
}
