import AccordCore
import AccordCrypto
import Foundation
import Testing
@testable import AccordPolicy
import AccordPolicyFiles

@Suite struct ShippedAgreementsTests {
    @Test func shippedAgreementsPassEveryCheck() throws {
        let sources = try AgreementSources.read(directory: Repository.agreements, hashing: SHA256.Hasher.self)
        let (set, diagnostics) = AgreementSet.validate(sources, today: CalendarDate("2026-06-01")!)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description).joined(separator: "\n"))")
        let loaded = try #require(set)
        #expect(loaded.agreements.count >= 6)
        for required in ["referral", "indicator-report", "case-update", "victim-support-referral", "intelligence-request"] {
            #expect(loaded.schemas[required] != nil, "schema \(required)")
        }
        for agency: AgencyID in ["nz.police", "nz.immigration", "nz.customs", "nz.oranga-tamariki", "nz.mbie-labour", "au.abf",
                       "fj.immigration"] {
            #expect(loaded.agencies[agency] != nil, "agency \(agency)")
        }
    }

    @Test func everyOverseasFlowStatesASafeguardAndEveryAgreementCitesLaw() throws {
        let set = try AgreementSet.load(try AgreementSources.read(directory: Repository.agreements, hashing: SHA256.Hasher.self),
                                        today: CalendarDate("2026-06-01")!)
        for agreement in set.agreements {
            #expect(!agreement.legalBasis.isEmpty)
            for flow in agreement.flows where flow.to.contains(where: { set.agencies[$0]!.isOverseas }) {
                #expect(flow.safeguard != nil, "\(agreement.id) flow \(flow.number)")
            }
        }
    }
}
