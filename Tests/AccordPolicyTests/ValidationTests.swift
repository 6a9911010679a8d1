import AccordCore
import Foundation
import Testing
@testable import AccordPolicy

/// One broken fixture per validation check. Each case expects its check's code, so removing
/// the check makes its case fail; `everyCheckHasACase` keeps the table complete.
struct BrokenCase: CustomTestStringConvertible, Sendable {
    let check: ValidationCheck
    let fixture: @Sendable () -> Fixture
    var testDescription: String { check.rawValue }
}

private let base = Fixture()
private let extraFlow = """
  - from: [nz.a]
    to: [nz.b]
    types: [t1]
    purposes: [p1, p2]
    max_classification: SENSITIVE
    handling: H1
    disclose: [x.name]

"""
private let secondAgreement = """
id: ag2
title: Agreement two
version: 1
status: active
legal_basis:
  - instrument: Privacy Act 2020
    provision: IPP 11(1)(e)(i)
    summary: maintenance of the law
parties: [nz.a, nz.b]
valid_from: 2025-01-01
valid_until: 2029-12-31
review_by: 2027-01-01
flows:
  - from: [nz.a]
    to: [nz.b]
    types: [t1]
    purposes: [p1]
    max_classification: SENSITIVE
    handling: H1
    disclose: [x.name]

"""

let brokenCases: [BrokenCase] = [
    BrokenCase(check: .yamlSyntax) { base.replacing("title: Agreement one", with: "title: [unclosed", in: "ag1.yaml") },
    BrokenCase(check: .wrongType) { base.replacing("version: 1", with: "version: [1]", in: "ag1.yaml") },
    BrokenCase(check: .missingKey) { base.replacing("title: Agreement one\n", with: "", in: "ag1.yaml") },
    BrokenCase(check: .unknownKey) { base.replacing("title: Agreement one", with: "title: Agreement one\ncolour: blue", in: "ag1.yaml") },
    BrokenCase(check: .duplicateKey) { base.replacing("title: Agreement one", with: "title: Agreement one\ntitle: again", in: "ag1.yaml") },
    BrokenCase(check: .missingFile) { base.removing("purposes.yaml") },
    BrokenCase(check: .invalidIdentifier) { base.replacing("id: p2", with: "id: Bad Purpose", in: "purposes.yaml") },
    BrokenCase(check: .duplicateAgency) {
        base.replacing("purposes:", with: "purposes:", in: "purposes.yaml")
            .adding("agencies.yaml", base.files["agencies.yaml"]! + """
              - id: nz.b
                name: Agency B again
                jurisdiction: NZ
                kind: nz-government
                child_welfare_agency: false
                certificate: urn:accord:agency:nz.b

            """)
    },
    BrokenCase(check: .invalidAgencyName) {
        base.replacing("name: Agency C", with: "name: Agency C " + String(repeating: "x", count: 60), in: "agencies.yaml")
    },
    BrokenCase(check: .invalidJurisdiction) { base.replacing("jurisdiction: AU", with: "jurisdiction: AUS", in: "agencies.yaml") },
    BrokenCase(check: .invalidAgencyKind) { base.replacing("kind: overseas-authority", with: "kind: foreign", in: "agencies.yaml") },
    BrokenCase(check: .kindJurisdictionMismatch) {
        base.replacing("kind: overseas-authority", with: "kind: nz-government", in: "agencies.yaml")
    },
    BrokenCase(check: .certificateMismatch) {
        base.replacing("urn:accord:agency:au.c", with: "urn:accord:agency:au.x", in: "agencies.yaml")
    },
    BrokenCase(check: .partnerServesOwnAgency) {
        base.adding("agencies.yaml", base.files["agencies.yaml"]! + PartnerGatewayRegistryTests.gatewayEntry.replacingOccurrences(of: "[au.c]", with: "[nz.b]"))
    },
    BrokenCase(check: .agencyServedTwice) {
        base.adding("agencies.yaml", base.files["agencies.yaml"]! + PartnerGatewayRegistryTests.gatewayEntry
            + PartnerGatewayRegistryTests.gatewayEntry.replacingOccurrences(of: "id: au.gateway", with: "id: au.other"))
    },
    BrokenCase(check: .invalidCAPath) {
        base.replacing("https://b.example/inbox", with: "https://b.example/inbox\n    ca: ../outside/ca.pem", in: "agencies.yaml")
    },
    BrokenCase(check: .invalidEndpoint) { base.replacing("https://b.example", with: "http://b.example", in: "agencies.yaml") },
    BrokenCase(check: .duplicatePurpose) { base.replacing("id: p2", with: "id: p1", in: "purposes.yaml") },
    BrokenCase(check: .duplicateMessageType) { base.adding("schemas/t1-copy.yaml", base.files["schemas/t1.yaml"]!) },
    BrokenCase(check: .schemaFileMismatch) {
        base.adding("schemas/t2.yaml", base.files["schemas/t1.yaml"]!.replacingOccurrences(of: "type: t1", with: "type: t3"))
    },
    BrokenCase(check: .invalidClaimPath) { base.replacing("path: notes", with: "path: Notes!", in: "schemas/t1.yaml") },
    BrokenCase(check: .duplicateClaimPath) { base.replacing("path: notes", with: "path: x.name", in: "schemas/t1.yaml") },
    BrokenCase(check: .invalidDataType) { base.replacing("type: boolean", with: "type: bool", in: "schemas/t1.yaml") },
    BrokenCase(check: .invalidEnumValues) { base.replacing("values: [u, v]", with: "values: [u, u]", in: "schemas/t1.yaml") },
    BrokenCase(check: .unknownSensitivityTag) {
        base.replacing("tags: [identifier]", with: "tags: [identifer]", in: "schemas/t1.yaml")
    },
    BrokenCase(check: .duplicateAgreement) { base.adding("ag1-copy.yaml", base.files["ag1.yaml"]!) },
    BrokenCase(check: .agreementFileMismatch) { base.replacing("id: ag1", with: "id: ag9", in: "ag1.yaml") },
    BrokenCase(check: .invalidVersion) { base.replacing("version: 1", with: "version: 0", in: "ag1.yaml") },
    BrokenCase(check: .invalidStatus) { base.replacing("status: active", with: "status: live", in: "ag1.yaml") },
    BrokenCase(check: .invalidDate) { base.replacing("valid_from: 2024-01-01", with: "valid_from: 2024-02-30", in: "ag1.yaml") },
    BrokenCase(check: .invalidValidityWindow) {
        base.replacing("review_by: 2027-01-01", with: "review_by: 2031-01-01", in: "ag1.yaml")
    },
    BrokenCase(check: .missingLegalBasis) {
        base.replacing("""
        legal_basis:
          - instrument: Privacy Act 2020
            provision: IPP 11(1)(e)(i)
            summary: maintenance of the law
        """, with: "legal_basis: []", in: "ag1.yaml")
    },
    BrokenCase(check: .unknownAgency) { base.replacing("to: [nz.b]", with: "to: [nz.zz]", in: "ag1.yaml") },
    BrokenCase(check: .flowPartyNotInParties) {
        base.replacing("parties: [nz.a, nz.b, au.c]", with: "parties: [nz.a, au.c]", in: "ag1.yaml")
    },
    BrokenCase(check: .emptyList) { base.replacing("disclose: [x.name, notes]", with: "disclose: []", in: "ag1.yaml") },
    BrokenCase(check: .selfFlow) { base.replacing("to: [nz.b]", with: "to: [nz.a]", in: "ag1.yaml") },
    BrokenCase(check: .unknownMessageType) {
        base.replacing("types: [t1]\n    purposes: [p1]\n    max_classification: SENSITIVE",
                       with: "types: [t9]\n    purposes: [p1]\n    max_classification: SENSITIVE", in: "ag1.yaml")
    },
    BrokenCase(check: .unknownPurpose) { base.replacing("purposes: [p1]", with: "purposes: [p9]", in: "ag1.yaml") },
    BrokenCase(check: .unknownClaimPath) {
        base.replacing("disclose: [x.name, notes]", with: "disclose: [x.name, notes, x.age]", in: "ag1.yaml")
    },
    BrokenCase(check: .disclosedAndNeverDisclosed) {
        base.replacing("never_disclose: [list]", with: "never_disclose: [list, notes]", in: "ag1.yaml")
    },
    BrokenCase(check: .invalidClassification) {
        base.replacing("max_classification: SENSITIVE", with: "max_classification: SECRET", in: "ag1.yaml")
    },
    BrokenCase(check: .invalidHandlingCode) { base.replacing("handling: H1", with: "handling: H4", in: "ag1.yaml") },
    BrokenCase(check: .invalidReview) {
        base.replacing("handling: H1", with: "handling: H1\n    review: manager", in: "ag1.yaml")
    },
    BrokenCase(check: .invalidHold) {
        base.replacing("handling: H1", with: "handling: H1\n    hold: sometimes", in: "ag1.yaml")
    },
    BrokenCase(check: .holdNeverApplies) {
        base.replacing("handling: H1", with: "handling: H1\n    hold: {recipient_overseas: true}", in: "ag1.yaml")
    },
    BrokenCase(check: .overseasWithoutSafeguard) {
        base.replacing("    ipp12_safeguard: ipp12-1c-comparable-laws\n", with: "", in: "ag1.yaml")
    },
    BrokenCase(check: .invalidSafeguard) {
        base.replacing("ipp12-1c-comparable-laws", with: "ipp12-trust-us", in: "ag1.yaml")
    },
    BrokenCase(check: .safeguardNotOverseas) {
        base.replacing("handling: H1", with: "handling: H1\n    ipp12_safeguard: ipp12-1c-comparable-laws", in: "ag1.yaml")
    },
    BrokenCase(check: .childClaimsToNonChildAgency) {
        base.replacing("disclose: [x.name, notes]", with: "disclose: [x, notes]", in: "ag1.yaml")
    },
    BrokenCase(check: .duplicateFlow) { base.adding("ag1.yaml", base.files["ag1.yaml"]! + extraFlow) },
    BrokenCase(check: .conflictingOverlap) { base.adding("ag2.yaml", secondAgreement) },
]

@Suite struct ValidationTests {
    @Test func fixtureIsValid() throws {
        #expect(base.diagnostics().isEmpty, "\(base.diagnostics())")
        _ = try base.load()
    }

    @Test(arguments: brokenCases)
    func eachCheckReportsItsCode(_ broken: BrokenCase) {
        let diagnostics = broken.fixture().diagnostics()
        #expect(diagnostics.contains { $0.check == broken.check },
                "expected \(broken.check.rawValue), got: \(diagnostics.map(\.description))")
        for diagnostic in diagnostics {
            #expect(diagnostic.location.file.hasPrefix("fx/"))
            #expect(diagnostic.location.line >= 1 && diagnostic.location.column >= 1)
        }
    }

    @Test func everyCheckHasACase() {
        // The properties file's checks are made by `PropertyCheck`, not set validation;
        // PropertyTests reports each of them.
        let covered = Set(brokenCases.map(\.check)).union([.invalidProperty, .duplicateProperty, .propertyViolated])
        let missing = ValidationCheck.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "checks without a test: \(missing.map(\.rawValue))")
    }

    @Test func loadThrowsOneErrorWithEveryProblem() {
        let broken = base
            .replacing("handling: H1", with: "handling: H4", in: "ag1.yaml")
            .replacing("jurisdiction: AU", with: "jurisdiction: AUS", in: "agencies.yaml")
            .replacing("tags: [identifier]", with: "tags: [identifer]", in: "schemas/t1.yaml")
        do {
            _ = try broken.load()
            Issue.record("a broken set loaded")
        } catch {
            #expect(error.code == .invalidAgreements)
            let checks = Set(error.diagnostics.map(\.check))
            #expect(checks.isSuperset(of: [.invalidHandlingCode, .invalidJurisdiction, .unknownSensitivityTag]))
        }
    }

    @Test func anInvalidValueDoesNotHideTheFlowsOtherProblems() {
        let broken = base.replacing("handling: H2", with: "handling: H9", in: "ag1.yaml")
            .replacing("    ipp12_safeguard: ipp12-1c-comparable-laws\n", with: "", in: "ag1.yaml")
        let checks = Set(broken.diagnostics().map(\.check))
        #expect(checks == [.invalidHandlingCode, .overseasWithoutSafeguard])
    }

    @Test func locationsPointAtTheOffendingValue() {
        let broken = base.replacing("handling: H1", with: "handling: H4", in: "ag1.yaml")
        let diagnostic = broken.diagnostics().first { $0.check == .invalidHandlingCode }
        // `handling: H4` is line 19 of ag1.yaml; the value starts at column 15.
        #expect(diagnostic?.location == SourceLocation(file: "fx/ag1.yaml", line: 19, column: 15))
        #expect(diagnostic?.description.hasPrefix("fx/ag1.yaml:19:15: ") == true)
    }

    @Test func childClaimsMayGoWithAStatedBasisOrToAChildWelfareAgency() {
        let withBasis = base.replacing("disclose: [x.name, notes]",
                                       with: "disclose: [x, notes]\n    child_claims_basis: Example Act s1", in: "ag1.yaml")
        #expect(withBasis.diagnostics().isEmpty)
        let toChildAgency = base.replacing("parties: [nz.a, nz.b, au.c]", with: "parties: [nz.a, nz.b, au.c]", in: "ag1.yaml")
            .adding("ag1.yaml", base.files["ag1.yaml"]! + """
              - from: [nz.b]
                to: [nz.a]
                types: [t1]
                purposes: [p1]
                max_classification: SENSITIVE
                handling: H1
                disclose: [x]

            """)
        #expect(toChildAgency.diagnostics().isEmpty, "\(toChildAgency.diagnostics())")
    }

    @Test func overlappingAgreementsOnTheSameTermsAreAllowed() {
        let same = base.adding("ag2.yaml", secondAgreement.replacingOccurrences(
            of: "    disclose: [x.name]\n", with: "    disclose: [x.name, notes]\n    never_disclose: [list]\n"))
        #expect(same.diagnostics().isEmpty, "\(same.diagnostics())")
    }

    @Test func anExpiredOrSuspendedAgreementLoads() {
        let expired = base.replacing("status: active", with: "status: expired", in: "ag1.yaml")
            .replacing("valid_until: 2030-12-31", with: "valid_until: 2026-05-31", in: "ag1.yaml")
            .replacing("review_by: 2027-01-01", with: "review_by: 2026-01-01", in: "ag1.yaml")
        #expect(expired.diagnostics().isEmpty, "\(expired.diagnostics())")
    }

    /// An active agreement past its `valid_until` once made the whole set invalid, so that a
    /// restart, a reload or an emergency suspension failed the day after any agreement ran
    /// out. It is simply out of force: the set loads and the engine refuses its flows.
    @Test func anActiveAgreementPastItsValidUntilLoadsAndIsOutOfForce() throws {
        let lapsed = base.replacing("valid_until: 2030-12-31", with: "valid_until: 2026-05-31", in: "ag1.yaml")
            .replacing("review_by: 2027-01-01", with: "review_by: 2026-01-01", in: "ag1.yaml")
        #expect(lapsed.diagnostics().isEmpty, "\(lapsed.diagnostics())")
        let set = try lapsed.load()
        let agreement = try #require(set.agreement(id: "ag1"))
        #expect(agreement.status == .active && !agreement.isInEffect(on: Fixture.today))
        #expect(agreement.isInEffect(on: CalendarDate("2026-05-31")!))
    }
}
