import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordStore
import Foundation
import Testing


/// Nothing a sender writes reaches a recipient unless an agreement allows it: the parts of an
/// SD-JWT outside the claims (`cnf`, the protected header, digests, the `accord` object) carry
/// nothing the gateway has not checked.
@Suite struct ClearChannelTests {
    /// A referral to Police whose one claim, `summary`, is a disclosure, signed with `header`
    /// members added and `payload` members replacing the usual ones.
    static func referral(
        _ fixture: GatewayFixture, payload: [String: JSONValue] = [:], header: [String: JSONValue] = [:], extraDigests: [JSONValue] = []
    ) throws -> String {
        let summary = GatewayFixture.disclosure(["salt-summary", "summary", "Worker reports passport held by employer"])
        var claims: [String: JSONValue] = ["_sd": .array([summary.digest] + extraDigests)]
        claims.merge(payload) { _, new in new }
        return try fixture.sign(from: "nz.immigration", to: ["nz.police"], type: "referral", payload: claims,
                                disclosures: [summary.encoded], header: header)
    }

    func refusal(_ fixture: GatewayFixture, _ text: String) async throws -> GatewayProblem {
        let problem = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "nz.immigration") })
        #expect(!problem.detail.contains("FJ1234567"), "\(problem)")
        #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)
        return problem
    }

    static func cnf(_ fixture: GatewayFixture, jwkExtra: [String: JSONValue] = [:], cnfExtra: [String: JSONValue] = [:]) -> JSONValue {
        let jwk = fixture.keys.bindingKey.publicKey.jwk
        var members: [String: JSONValue] = ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x), "y": .string(jwk.y ?? "")]
        members.merge(jwkExtra) { _, new in new }
        var cnf: [String: JSONValue] = ["jwk": .object(members)]
        cnf.merge(cnfExtra) { _, new in new }
        return .object(cnf)
    }

    @Test func theBaseMessageIsAccepted() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            // A decoy digest of the right length is not a channel: it is accepted.
            let decoy = JSONValue.string(Base64URL.encode(SHA256.hash(Array("decoy".utf8))))
            let receipt = try await fixture.gateway.submit(try Self.referral(fixture, extraDigests: [decoy]), from: "nz.immigration")
            #expect(receipt.recipients.map(\.status) == ["delivered"])
        }
    }

    /// The Python reference library's messages: its decoy digests are digests, so they pass;
    /// a header parameter it is asked to add is refused.
    @Test func theReferenceLibrarysDecoysPassAndItsExtraHeaderParametersDoNot() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let withDecoys = try await fixture.issueWithReferenceLibrary(from: "nz.immigration", to: ["nz.police"], type: "referral",
                                                                   content: GatewayFixture.referral, decoys: true)
            #expect(try await fixture.gateway.submit(withDecoys, from: "nz.immigration").recipients.map(\.status) == ["delivered"])
            let withHeader = try await fixture.issueWithReferenceLibrary(from: "nz.immigration", to: ["nz.police"], type: "referral",
                                                                   content: GatewayFixture.referral, header: ["x-case": "FJ1234567"])
            let problem = await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(withHeader, from: "nz.immigration") }
            #expect(problem?.code == "unsupported-header-parameter", "\(String(describing: problem))")
        }
    }

    @Test func membersUnderCnfOtherThanItsKeyAreRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let beside = try await refusal(fixture, try Self.referral(fixture, payload: ["cnf": Self.cnf(fixture, cnfExtra: ["note": "FJ1234567"])]))
            #expect(beside.code == "unsupported-cnf-member" && beside.status == 400, "\(beside)")
            let inKey = try await refusal(fixture, try Self.referral(fixture, payload: ["cnf": Self.cnf(fixture, jwkExtra: ["kid": "FJ1234567"])]))
            #expect(inKey.code == "unsupported-cnf-member" && inKey.status == 400, "\(inKey)")
        }
    }

    @Test func protectedHeaderMembersOtherThanAlgTypKidAndX5cAreRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let problem = try await refusal(fixture, try Self.referral(fixture, header: ["note": "FJ1234567"]))
            #expect(problem.code == "unsupported-header-parameter" && problem.status == 400, "\(problem)")
            #expect(!problem.detail.contains("note"), "a member's name may itself be data")
        }
    }

    @Test func stringsInDigestPlacesThatAreNotDigestsAreRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let inSD = try await refusal(fixture, try Self.referral(fixture, extraDigests: ["FJ1234567"]))
            #expect(inSD.code == "malformed-digest" && inSD.status == 400, "\(inSD)")
            // As long as a digest but not base64url.
            let long = try await refusal(fixture, try Self.referral(fixture, extraDigests: [.string("FJ1234567 " + String(repeating: "x", count: 33))]))
            #expect(long.code == "malformed-digest", "\(long)")
            let inArray = try await refusal(fixture, try Self.referral(fixture, payload: ["indicators": .array([.object(["...": "FJ1234567"])])]))
            #expect(inArray.code == "malformed-digest", "\(inArray)")
            let inAccord = try await refusal(fixture, try Self.referral(fixture, payload: ["accord": .object([
                "type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE",
                "_sd": ["FJ1234567"],
            ])]))
            #expect(inAccord.code == "malformed-digest", "\(inAccord)")
        }
    }

    @Test func theAccordObjectCarriesNothingNoAgreementAllows() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let routing: [String: JSONValue] = ["type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"]
            // No schema declares accord.case_ref and no agreement discloses it: it cannot be
            // withheld, so the message is refused like any other clear claim.
            let caseRef = try await refusal(fixture, try Self.referral(fixture, payload: ["accord": .object(routing.merging(["case_ref": "FJ1234567"]) { a, _ in a })]))
            #expect(caseRef.code == "clear-claim-not-permitted" && caseRef.detail.contains("accord.case_ref"), "\(caseRef)")
            let unknown = try await refusal(fixture, try Self.referral(fixture, payload: ["accord": .object(routing.merging(["note": "FJ1234567"]) { a, _ in a })]))
            #expect(unknown.code == "invalid-routing-claims", "\(unknown)")
        }
    }

    @Test func aCaseReferenceGoesWhereTheSchemaDeclaresItAndTheAgreementDisclosesIt() async throws {
        let fixture = try GatewayFixture(editAgreements: { directory in
            let schema = directory.appendingPathComponent("schemas/referral.yaml")
            let claim = "  - path: accord.case_ref\n    type: string\n    description: The sender's case reference\n"
            try Data((try String(contentsOf: schema, encoding: .utf8) + claim).utf8).write(to: schema)
            let agreement = directory.appendingPathComponent("inz-police-investigations.yaml")
            let text = try String(contentsOf: agreement, encoding: .utf8)
            let flow = try #require(text.range(of: "    disclose:\n"))
            try Data(text.replacingCharacters(in: flow, with: "    disclose:\n      - accord.case_ref\n").utf8).write(to: agreement)
        })
        try await fixture.closing {
            let routing: [String: JSONValue] = [
                "type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE", "case_ref": "OP-2025-117",
            ]
            let receipt = try await fixture.gateway.submit(try Self.referral(fixture, payload: ["accord": .object(routing)]), from: "nz.immigration")
            #expect(receipt.recipients.map(\.status) == ["delivered"])
        }
    }
}
