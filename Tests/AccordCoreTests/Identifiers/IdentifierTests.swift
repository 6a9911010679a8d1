import AccordCore
import Testing

/// The typed identifiers keep their text exactly: what a registry, a message or the store says
/// is what the id prints, orders by and joins to.
@Suite struct IdentifierTests {
    @Test func anIdIsItsTextExactly() {
        let agency: AgencyID = "nz.oranga-tamariki"
        #expect(agency == AgencyID(rawValue: "nz.oranga-tamariki"))
        #expect(agency == AgencyID("nz.oranga-tamariki"[...]))
        #expect(agency.description == "nz.oranga-tamariki" && "\(agency)" == "nz.oranga-tamariki")
        // No case folding or trimming: a different text is a different agency.
        #expect(agency != AgencyID("NZ.Oranga-Tamariki") && agency != AgencyID(" nz.oranga-tamariki"))
    }

    @Test func idsOrderAndJoinByTheirText() {
        let ids: [AgreementID] = ["police-ot-s66c", "customs-abf-s318", "inz-police-investigations"]
        #expect(ids.sorted().joined(separator: ",") == "customs-abf-s318,inz-police-investigations,police-ot-s66c")
        #expect(Set(ids + ["customs-abf-s318"]).count == 3)
        let deliveries: [DeliveryID] = ["d-2", "d-10"]
        #expect(deliveries.sorted() == ["d-10", "d-2"], "text order, as the store sorts them")
    }

    @Test func routingClaimsCompareEveryClaim() {
        let routing = RoutingClaims(issuer: "nz.police", type: "referral", recipients: ["nz.immigration"], purpose: "law-enforcement",
                                    classification: "IN-CONFIDENCE")
        var named = routing
        named.agreement = "inz-police-investigations"
        #expect(routing != named)
        var reordered = routing
        reordered.recipients = ["nz.immigration", "nz.customs"]
        #expect(reordered != routing && reordered.recipients.joined(separator: " ") == "nz.immigration nz.customs")
    }
}
