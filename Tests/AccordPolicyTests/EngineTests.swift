import AccordCore
import AccordCrypto
import Foundation
import Testing
@testable import AccordPolicy
import AccordPolicyFiles

/// Decisions against the fixture set, each checked on both engines.
@Suite struct EngineTests {
    static let today = Fixture.today

    static func message(from: AgencyID = "nz.a", to: [AgencyID] = ["nz.b"], type: String = "t1", purpose: String = "p1",
                        classification: String = "IN-CONFIDENCE", agreement: AgreementID? = nil,
                        claims: [String] = ["x.name"]) -> PolicyMessage {
        (RoutingClaims(issuer: from, type: type, recipients: to, purpose: purpose, classification: classification,
                       agreement: agreement), claims)
    }

    /// Both engines, which must agree.
    func decide(_ set: AgreementSet, _ m: PolicyMessage, _ recipient: AgencyID, on date: CalendarDate = today) -> Decision {
        let compiled = CompiledPolicy(set).evaluate(m, for: recipient, on: date)
        let reference = ReferenceEvaluator(set: set).evaluate(m, for: recipient, on: date)
        #expect(compiled == reference)
        return compiled
    }

    func denial(_ decision: Decision) -> Denial? {
        if case .deny(let d) = decision { return d }
        return nil
    }

    func delivery(_ decision: Decision) -> Delivery? {
        if case .deliver(let d) = decision { return d }
        return nil
    }

    @Test func deliversOnlyTheClaimsTheFlowDiscloses() throws {
        let set = try Fixture().load()
        let m = Self.message(claims: ["x.name", "notes", "list[*]", "x.kid", "secret.unknown", "x.name"])
        let d = try #require(delivery(decide(set, m, "nz.b")))
        #expect(d.disclosed == ["x.name", "notes"])
        #expect(d.withheld == [
            WithheldClaim(path: "list[*]", reason: .neverDisclosed),
            WithheldClaim(path: "x.kid", reason: .notInFlow),
            WithheldClaim(path: "secret.unknown", reason: .unknownToSchema),
        ])
        #expect(d.agreementID == "ag1")
        #expect(d.flowNumber == 1)
        #expect(d.held == false)
        #expect(d.handling == .h1)
        let bytes = Array(Fixture().files["ag1.yaml"]!.utf8)
        #expect(d.agreementDigest == SHA256.Hasher().digest(of: bytes).hex)
    }

    @Test func denyByDefault() throws {
        let set = try Fixture().load()
        #expect(denial(decide(set, Self.message(purpose: "p2"), "nz.b"))?.code == .noAgreement)
        #expect(denial(decide(set, Self.message(from: "nz.b", to: ["nz.a"]), "nz.a"))?.code == .noAgreement)
        #expect(denial(decide(set, Self.message(to: ["nz.a"]), "nz.a"))?.code == .noAgreement)
    }

    @Test func refusesWhatItCannotPlace() throws {
        let set = try Fixture().load()
        #expect(denial(decide(set, Self.message(), "au.c"))?.code == .recipientNotAddressed)
        #expect(denial(decide(set, Self.message(from: "nz.zz"), "nz.b"))?.code == .unknownSender)
        #expect(denial(decide(set, Self.message(to: ["nz.zz"]), "nz.zz"))?.code == .unknownRecipient)
        #expect(denial(decide(set, Self.message(type: "t9"), "nz.b"))?.code == .unknownMessageType)
        #expect(denial(decide(set, Self.message(classification: "TOP SECRET"), "nz.b"))?.code == .unknownClassification)
        // Naming an agreement that does not exist is answered as naming one that does not cover
        // the flow: the answer does not tell which agreement ids exist.
        #expect(denial(decide(set, Self.message(agreement: "ag9"), "nz.b"))?.code == .namedAgreementDoesNotCover)
    }

    @Test func classificationAboveTheCeilingDenies() throws {
        let set = try Fixture().load()
        #expect(delivery(decide(set, Self.message(classification: "SENSITIVE"), "nz.b")) != nil)
        #expect(denial(decide(set, Self.message(classification: "RESTRICTED"), "nz.b"))?.code == .classificationAboveCeiling)
        let overseas = Self.message(to: ["au.c"], classification: "SENSITIVE")
        #expect(denial(decide(set, overseas, "au.c"))?.code == .classificationAboveCeiling)
    }

    @Test func agreementsNotInEffectDeny() throws {
        let suspended = try Fixture().replacing("status: active", with: "status: suspended", in: "ag1.yaml").load()
        #expect(denial(decide(suspended, Self.message(), "nz.b"))?.code == .agreementSuspended)
        let draft = try Fixture().replacing("status: active", with: "status: draft", in: "ag1.yaml").load()
        #expect(denial(decide(draft, Self.message(), "nz.b"))?.code == .agreementNotActive)
        let expired = try Fixture().replacing("status: active", with: "status: expired", in: "ag1.yaml").load()
        #expect(denial(decide(expired, Self.message(), "nz.b"))?.code == .agreementExpired)
        let active = try Fixture().load()
        #expect(denial(decide(active, Self.message(), "nz.b", on: CalendarDate("2031-01-01")!))?.code == .agreementExpired)
        #expect(denial(decide(active, Self.message(), "nz.b", on: CalendarDate("2023-12-31")!))?.code == .agreementNotYetValid)
        #expect(delivery(decide(active, Self.message(), "nz.b", on: CalendarDate("2030-12-31")!)) != nil)
        #expect(delivery(decide(active, Self.message(), "nz.b", on: CalendarDate("2024-01-01")!)) != nil)
    }

    @Test func severalAgreementsRequireTheMessageToNameOne() throws {
        let second = Fixture().files["ag1.yaml"]!
            .replacingOccurrences(of: "id: ag1", with: "id: ag2")
        let set = try Fixture().adding("ag2.yaml", second).load()
        let ambiguous = try #require(denial(decide(set, Self.message(), "nz.b")))
        #expect(ambiguous.code == .ambiguousAgreement)
        #expect(ambiguous.agreements == ["ag1", "ag2"])
        #expect(delivery(decide(set, Self.message(agreement: "ag2"), "nz.b"))?.agreementID == "ag2")
        #expect(delivery(decide(set, Self.message(agreement: "ag1"), "nz.b"))?.agreementID == "ag1")
    }

    @Test func aNamedAgreementMustCoverTheFlow() throws {
        let other = Fixture().files["ag1.yaml"]!
            .replacingOccurrences(of: "id: ag1", with: "id: ag2")
            .replacingOccurrences(of: "purposes: [p1]", with: "purposes: [p2]")
        let set = try Fixture().adding("ag2.yaml", other).load()
        #expect(denial(decide(set, Self.message(agreement: "ag2"), "nz.b"))?.code == .namedAgreementDoesNotCover)
        #expect(delivery(decide(set, Self.message(agreement: "ag1"), "nz.b")) != nil)
    }

    @Test func reviewHoldsTheDelivery() throws {
        let set = try Fixture().replacing("handling: H1", with: "handling: H1\n    review: privacy-officer", in: "ag1.yaml").load()
        #expect(delivery(decide(set, Self.message(), "nz.b"))?.held == true)
    }

    @Test func childClaimsGoOnlyToChildWelfareAgenciesUnlessABasisIsStated() throws {
        let fixture = Fixture().adding("ag1.yaml", Fixture().files["ag1.yaml"]! + """
          - from: [nz.b]
            to: [nz.a]
            types: [t1]
            purposes: [p1]
            max_classification: SENSITIVE
            handling: H1
            disclose: [x]

        """)
        let set = try fixture.load()
        let toChildAgency = Self.message(from: "nz.b", to: ["nz.a"], claims: ["x.name", "x.kid"])
        #expect(delivery(decide(set, toChildAgency, "nz.a"))?.disclosed == ["x.name", "x.kid"])

        // Defence in depth: even a set that skipped validation never sends them to nz.b.
        let a = set.agreements[0]
        let loose = Flow(number: 9, from: ["nz.a"], to: ["nz.b"], types: ["t1"], purposes: ["p2"],
                         maxClassification: .sensitive, handling: .h0, disclose: ["x"], neverDisclose: [], review: nil,
                         safeguard: nil, childClaimsBasis: nil, location: a.flows[0].location)
        let unchecked = AgreementSet(
            agencies: Array(set.agencies.values), purposes: Array(set.purposes.values), schemas: Array(set.schemas.values),
            agreements: [Agreement(id: a.id, title: a.title, version: 1, status: .active, legalBasis: a.legalBasis,
                                   parties: a.parties, validFrom: a.validFrom, validUntil: a.validUntil, reviewBy: a.reviewBy,
                                   flows: [loose], digest: a.digest, file: a.file)], hashing: SHA256.Hasher.self)
        let d = try #require(delivery(decide(unchecked, Self.message(purpose: "p2", claims: ["x.name", "x.kid"]), "nz.b")))
        #expect(d.disclosed == ["x.name"])
        #expect(d.withheld == [WithheldClaim(path: "x.kid", reason: .childProtected)])
    }

    @Test func explanationNamesTheRuleForEachClaim() throws {
        let set = try Fixture().load()
        let e = ReferenceEvaluator(set: set).explain(Self.message(claims: ["x.name", "list[*]", "zz"]), for: "nz.b", on: Self.today)
        #expect(e.agreementID == "ag1")
        #expect(e.flowNumber == 1)
        #expect(e.claims.map(\.rule) == ["disclose: x.name", "never_disclose: list", "not declared by the 't1' schema"])
    }
}

@Suite struct ActivePolicyTests {
    @Test func aSetThatFailsValidationNeverReplacesTheActiveOne() throws {
        let holder = ActivePolicy(try Fixture().load())
        let before = holder.current
        let broken = Fixture().replacing("handling: H1", with: "handling: H9", in: "ag1.yaml")
        #expect(throws: PolicyError.self) { try holder.activate(broken.sources, today: Fixture.today) }
        #expect(holder.current.generation == before.generation)
        #expect(holder.current.setDigest == before.setDigest)
        #expect(holder.evaluate(EngineTests.message(), for: "nz.b", on: Fixture.today).isDeliver)
    }

    @Test func activationSwapsTheWholeSet() throws {
        let holder = ActivePolicy(try Fixture().load())
        let closed = Fixture().replacing("status: active", with: "status: suspended", in: "ag1.yaml")
        let snapshot = try holder.activate(closed.sources, today: Fixture.today)
        #expect(snapshot.generation == 2)
        #expect(!holder.evaluate(EngineTests.message(), for: "nz.b", on: Fixture.today).isDeliver)
    }

    @Test func concurrentReadersSeeAWholeSnapshot() async throws {
        let holder = ActivePolicy(try Fixture().load())
        let open = try Fixture().load()
        let closed = try Fixture().replacing("status: active", with: "status: suspended", in: "ag1.yaml").load()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for i in 0..<200 { holder.activate(i.isMultiple(of: 2) ? closed : open) }
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<500 {
                        let snapshot = holder.current
                        let decision = snapshot.policy.evaluate(EngineTests.message(), for: "nz.b", on: Fixture.today)
                        let suspended = snapshot.policy.set.agreements[0].status == .suspended
                        #expect(decision.isDeliver != suspended)
                    }
                }
            }
        }
        #expect(holder.current.generation == 201)
    }
}

@Suite struct ValueTests {
    @Test func calendarDatesRejectDaysThatDoNotExist() {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2025-02-29") == nil)
        #expect(CalendarDate("2100-02-29") == nil)
        #expect(CalendarDate("2000-02-29") != nil)
        #expect(CalendarDate("2025-04-31") == nil)
        #expect(CalendarDate("2025-13-01") == nil)
        #expect(CalendarDate("25-01-01") == nil)
        #expect(CalendarDate("2025-1-01") == nil)
        #expect(CalendarDate("2025-01-01T00:00") == nil)
        #expect(CalendarDate("2025-01-02")! > CalendarDate("2025-01-01")!)
        #expect(CalendarDate(Date(timeIntervalSince1970: 0)) == CalendarDate("1970-01-01"))
    }

    @Test func activePolicyReadsADirectoryAndDecidesAtAnInstant() throws {
        let policy = try ActivePolicy(directory: Repository.agreements, today: CalendarDate("2026-06-01")!, hashing: SHA256.Hasher.self)
        let m: PolicyMessage = (RoutingClaims(issuer: "nz.immigration", type: "referral", recipients: ["nz.police"], purpose: "law-enforcement",
                                              classification: "IN-CONFIDENCE"), ["subject.family_name"])
        let june2026 = Date(timeIntervalSince1970: 1_780_272_000)
        #expect(policy.evaluate(m, for: "nz.police", at: june2026).isDeliver)
        #expect(policy.current.setDigest.count == 64)
    }
}
