import AccordCore
import AccordCrypto
@testable import AccordPolicy
import AccordTestSupport

/// Random agreement sets and messages over small vocabularies, so that flows, claims and
/// agreements collide often: overseas authorities among the agencies, claims nested in objects
/// and in arrays of objects, rules at every level of them. Sets are built directly, not
/// validated: both engines must agree on anything, including sets validation would refuse.
struct RandomSets {
    var rng: SplitMix64
    static let claimPool = ["s.name", "s.dob", "s.kid", "s.addr", "c.note", "c.kid", "list[*]", "notes", "n.m.k", "n.m",
                            "items[*].name", "items[*].kid", "items[*].addr.line", "items[*].addr.kid", "n.m.items[*].k"]
    static let rulePool = ["s", "c", "list", "list[*]", "s.name", "s.kid", "c.kid", "notes", "n", "n.m", "n.m.k", "s.addr",
                           "items", "items[*]", "items[*].name", "items[*].addr", "items[*].addr.line", "n.m.items"]
    static let jurisdictions = ["NZ", "NZ", "NZ", "AU", "FJ"]
    static let dates = (2023...2029).flatMap { y in [1, 6, 12].map { CalendarDate(year: y, month: $0, day: 1)! } }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func subset<T>(_ items: [T], max: Int) -> [T] {
        let n = Int.random(in: 1...Swift.max(1, Swift.min(max, items.count)), using: &rng)
        return Array(items.shuffled(using: &rng).prefix(n))
    }

    mutating func set() -> AgreementSet {
        let agencies = (0..<Int.random(in: 3...5, using: &rng)).map { i in
            let jurisdiction = pick(Self.jurisdictions)
            return Agency(id: AgencyID("a\(i)"), name: "A\(i)", jurisdiction: jurisdiction, kind: jurisdiction == "NZ" ? .nzGovernment : .overseasAuthority,
                          isChildWelfareAgency: chance(0.4), certificate: "urn:accord:agency:a\(i)")
        }
        let purposes = (0..<3).map { Purpose(id: "p\($0)", description: "") }
        let schemas = (0..<Int.random(in: 1...3, using: &rng)).map { i in
            MessageSchema(type: "t\(i)", title: "", claims: subset(Self.claimPool, max: 8).map { path in
                var tags: Set<SensitivityTag> = path.contains("kid") || chance(0.1) ? [.child] : []
                if chance(0.3) { tags.insert(.identifier) }
                return ClaimSchema(path: path, dataType: .string, tags: tags)
            })
        }
        let ids = agencies.map(\.id)
        let agreements = (0..<Int.random(in: 1...4, using: &rng)).map { i in
            let from = pick(Self.dates)
            let until = pick(Self.dates.filter { $0 >= from })
            let flows = (0..<Int.random(in: 1...3, using: &rng)).map { n in
                Flow(number: n + 1, from: subset(ids, max: 2), to: subset(ids, max: 2),
                     types: subset(schemas.map(\.type) + ["t9"], max: 2), purposes: subset(purposes.map(\.id), max: 2),
                     maxClassification: pick(Classification.allCases), handling: pick(HandlingCode.allCases),
                     disclose: subset(Self.rulePool, max: 5), neverDisclose: chance(0.5) ? subset(Self.rulePool, max: 2) : [],
                     review: chance(0.2) ? .privacyOfficer : nil, safeguard: chance(0.5) ? pick(IPP12Safeguard.allCases) : nil,
                     childClaimsBasis: chance(0.2) ? "Example Act s1" : nil, hold: chance(0.3) ? hold() : nil,
                     location: SourceLocation(file: "g\(i).yaml", line: n + 1, column: 3))
            }
            let status: AgreementStatus = chance(0.7) ? .active : pick(AgreementStatus.allCases)
            return Agreement(id: AgreementID("g\(i)"), title: "", version: 1, status: status, legalBasis: [], parties: ids,
                             validFrom: from, validUntil: until, reviewBy: until, flows: flows,
                             digest: SHA256.Hasher().digest(of: "g\(i)").hex, file: "g\(i).yaml")
        }
        return AgreementSet(agencies: agencies, purposes: purposes, schemas: schemas, agreements: agreements, hashing: SHA256.Hasher.self)
    }

    /// A hold with some of its conditions, so that both engines' readings of each are compared.
    mutating func hold() -> HoldRule {
        HoldRule(always: chance(0.2), disclosedTags: chance(0.5) ? [pick([.child, .identifier])] : [],
                 classificationAtLeast: chance(0.4) ? pick(Classification.allCases) : nil,
                 recipientOverseas: chance(0.4), approvals: chance(0.3) ? 2 : 1)
    }

    /// Most messages are aimed at a random flow, so that deliveries and claim rules are well
    /// exercised; the rest are drawn from everything, unknown names included.
    mutating func message(for set: AgreementSet) -> (PolicyMessage, AgencyID, CalendarDate) {
        let ids = set.agencies.keys.sorted() + ["zz"]
        let agreement = pick(set.agreements)
        let flow = pick(agreement.flows)
        let aimed = chance(0.75)
        let issuer = aimed ? pick(flow.from) : pick(ids)
        let recipient = aimed ? pick(flow.to) : pick(ids)
        var to = aimed ? [recipient] : subset(ids, max: 3)
        if chance(0.3) { to.append(pick(ids)) }
        if !aimed, chance(0.9), !to.contains(recipient) { to.append(recipient) }
        let named: AgreementID? = chance(0.75) ? nil : (chance(0.85) ? pick(set.agreements.map(\.id)) : "g9")
        let routing = RoutingClaims(
            issuer: issuer, type: aimed ? pick(flow.types) : pick(set.schemas.keys.sorted() + ["t9"]), recipients: to,
            purpose: aimed ? pick(flow.purposes) : pick(["p0", "p1", "p2", "p9"]),
            classification: chance(0.97) ? pick(Classification.allCases).rawValue : "BOGUS", agreement: named)
        let claimPaths = chance(0.03)
                ? (0..<40).map { _ in pick(Self.claimPool + ["zz.top", "s"]) }
                : subset(Self.claimPool + ["zz.top", "s"], max: 7) + (chance(0.2) ? [pick(Self.claimPool + ["zz.top"])] : [])
        let date = aimed && chance(0.7)
            ? pick(Self.dates.filter { agreement.validFrom <= $0 && $0 <= agreement.validUntil })
            : pick(Self.dates)
        return ((routing, claimPaths), recipient, date)
    }
}
