import AccordCore
import Foundation
import Testing
@testable import AccordPolicy

/// The registry's `kind: gateway` entries (docs/federation.md, "The registry entry"): what
/// loads, and each way a partner entry is refused at the line and column of the mistake.
@Suite struct PartnerGatewayRegistryTests {
    static let gatewayEntry = """
      - id: au.gateway
        name: Australian Accord gateway
        jurisdiction: AU
        kind: gateway
        ca: partners/au-ca.pem
        endpoint: https://au.example:9443/v1/federation/deliveries
        binding_key: partners/au-binding.pem
        serves: [au.c]

    """

    static func withGateway(_ entry: String = gatewayEntry) -> Fixture {
        let base = Fixture()
        return base.adding("agencies.yaml", base.files["agencies.yaml"]! + entry)
    }

    @Test func aPartnerLoadsAndServesItsAgency() throws {
        let set = try Self.withGateway().load()
        let gateway = try #require(set.gateways["au.gateway"])
        #expect(gateway.serves == ["au.c"])
        #expect(gateway.issuingCA == "partners/au-ca.pem")
        #expect(gateway.bindingKey == "partners/au-binding.pem")
        #expect(set.gatewayServing["au.c"]?.id == "au.gateway")
        #expect(set.gatewayServing["nz.b"] == nil)
        #expect(set.agencies["au.gateway"] == nil, "a gateway is not an agency: no one sends as it")
    }

    @Test func aPartnerClaimingANewZealandAgencyIsRefusedWhereItSaysSo() {
        let fixture = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "serves: [au.c]", with: "serves: [au.c, nz.a]"))
        let diagnostics = fixture.diagnostics()
        let refusal = diagnostics.first { $0.check == .partnerServesOwnAgency }
        // The gateway entry's `serves:` is line 28 of agencies.yaml; `nz.a` starts at column 20.
        #expect(refusal?.location == SourceLocation(file: "fx/agencies.yaml", line: 28, column: 20))
        #expect(refusal?.message.contains("'nz.a', an agency of New Zealand;") == true, "\(refusal?.message ?? "")")
        #expect(throws: PolicyError.self) { try fixture.load() }
    }

    @Test func aFlowToAnAgencyBehindAPartnerNeedsAnIPP12Ground() {
        let fixture = Self.withGateway().replacing("    ipp12_safeguard: ipp12-1c-comparable-laws\n", with: "", in: "ag1.yaml")
        let checks = fixture.diagnostics().map(\.check)
        #expect(checks == [.overseasWithoutSafeguard])
    }

    @Test func aServedAgencyMustBeInTheRegistry() {
        let fixture = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "serves: [au.c]", with: "serves: [au.unknown]"))
        let diagnostic = fixture.diagnostics().first { $0.check == .unknownAgency }
        #expect(diagnostic?.message.contains("au.unknown") == true)
        #expect(diagnostic?.location.line == 28)
    }

    @Test func anAgencyIsReachedOneWayOnly() {
        let second = Self.gatewayEntry.replacingOccurrences(of: "id: au.gateway", with: "id: au.gateway2")
        let twice = Self.withGateway(Self.gatewayEntry + second).diagnostics().map(\.check)
        #expect(twice.contains(.agencyServedTwice))
        let withEndpoint = Self.withGateway()
            .replacing("certificate: urn:accord:agency:au.c", with: "certificate: urn:accord:agency:au.c\n    endpoint: https://c.example/in", in: "agencies.yaml")
        #expect(withEndpoint.diagnostics().map(\.check) == [.agencyServedTwice])
    }

    @Test func aPartnerEntryMustBeComplete() {
        let noKey = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "    binding_key: partners/au-binding.pem\n", with: ""))
        let missing = noKey.diagnostics().first { $0.check == .missingKey }
        #expect(missing?.message.contains("binding_key") == true)
        let outside = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "partners/au-ca.pem", with: "../au-ca.pem"))
        #expect(outside.diagnostics().map(\.check) == [.invalidCAPath])
        let plain = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "https://au.example", with: "http://au.example"))
        #expect(plain.diagnostics().map(\.check) == [.invalidEndpoint])
        let unknown = Self.withGateway(Self.gatewayEntry.replacingOccurrences(of: "kind: gateway", with: "kind: gateway\n    certificate: urn:accord:agency:au.gateway"))
        #expect(unknown.diagnostics().map(\.check) == [.unknownKey])
    }

    /// A registry for a partner's Accord sets its own home: agencies of that jurisdiction are its
    /// own (`nz-government`), every other overseas, so New Zealand's agencies become overseas.
    @Test func anotherHomeJurisdictionMakesNewZealandAgenciesOverseas() {
        let base = Fixture()
        let fixture = base.adding("agencies.yaml", "home_jurisdiction: AU\n" + base.files["agencies.yaml"]!)
        let mismatched = fixture.diagnostics().filter { $0.check == .kindJurisdictionMismatch }
        // nz.a and nz.b are nz-government but not of the home jurisdiction; au.c is, but is overseas-authority.
        #expect(mismatched.map(\.location.line) == [6, 12, 19], "\(mismatched)")
        #expect(mismatched.allSatisfy { $0.message.contains("home jurisdiction AU") })
    }

    @Test func underAnotherHomeJurisdictionTheRefusalsNameThatHomeNotNewZealand() {
        let base = Fixture()
        // The fixture's registry as an Australian gateway keeps it: au.c is its own, nz.a and nz.b overseas.
        let registry = base.files["agencies.yaml"]!
            .replacingOccurrences(of: "kind: nz-government", with: "kind: OVERSEAS")
            .replacingOccurrences(of: "kind: overseas-authority", with: "kind: nz-government")
            .replacingOccurrences(of: "kind: OVERSEAS", with: "kind: overseas-authority")
        let partner = Self.gatewayEntry
            .replacingOccurrences(of: "au.gateway", with: "nz.gateway").replacingOccurrences(of: "jurisdiction: AU", with: "jurisdiction: NZ")
            .replacingOccurrences(of: "serves: [au.c]", with: "serves: [nz.a, au.c]")
        let diagnostics = base.adding("agencies.yaml", "home_jurisdiction: AU\n" + registry + partner).diagnostics()
        // Flow 1 (nz.a to nz.b) now crosses a border: it needs a ground, and is told which border.
        let overseas = diagnostics.first { $0.check == .overseasWithoutSafeguard }
        #expect(overseas?.message.contains("sends to nz.b outside AU (this registry's home_jurisdiction)") == true, "\(diagnostics)")
        #expect(overseas?.message.contains("cite the cross-border rule of AU's own law in legal_basis") == true, "\(diagnostics)")
        let claim = diagnostics.first { $0.check == .partnerServesOwnAgency }
        #expect(claim?.message.contains("'au.c', an agency of AU (this registry's home_jurisdiction)") == true, "\(diagnostics)")
        for diagnostic in diagnostics {
            #expect(!diagnostic.message.contains("outside New Zealand") && !diagnostic.message.contains("New Zealand agency"), "\(diagnostic)")
        }
    }

    @Test func aHomeJurisdictionMustBeACountryCode() {
        let base = Fixture()
        let fixture = base.adding("agencies.yaml", "home_jurisdiction: Australia\n" + base.files["agencies.yaml"]!)
        let refusal = fixture.diagnostics().first { $0.check == .invalidJurisdiction }
        #expect(refusal?.location == SourceLocation(file: "fx/agencies.yaml", line: 1, column: 20))
        #expect(refusal?.message.contains("home_jurisdiction 'Australia'") == true)
    }
}
