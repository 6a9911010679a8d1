import AccordCore
import AccordCrypto
import AccordMessages
import Foundation
import Testing

@Suite struct IssueAndVerifyTests {
    @Test(arguments: [KeyAlgorithm.es256, .edDSA])
    func issuedMessageVerifiesWithAllClaimsRestored(_ algorithm: KeyAlgorithm) throws {
        let key = algorithm == .es256 ? Fixtures.es256Issuer : Fixtures.edIssuer
        let text = try Fixtures.issue(key: key)
        #expect(text.hasSuffix("~"))
        let message = try Fixtures.verifier(key).verify(text, now: Fixtures.now)
        var expected = Fixtures.message
        let jwk = Fixtures.gatewayKey.publicKey.jwk
        expected["cnf"] = ["jwk": ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x), "y": .string(jwk.y!)]]
        #expect(message.claims == expected)
        #expect(message.holderKey == Fixtures.gatewayKey.publicKey.jwk)
        #expect(message.header["alg"] == .string(algorithm.jwsName))
    }

    @Test func routingClaimsAreReadFromTheClearPayload() throws {
        let message = try Fixtures.verifier().verify(try Fixtures.issue(), now: Fixtures.now)
        let routing = message.routing
        #expect(routing.issuer == "nz-police")
        #expect(message.jti == "msg-0001")
        #expect(routing.type == "referral")
        #expect(routing.recipients == ["immigration-nz", "labour-inspectorate"])
        #expect(routing.purpose == "investigation")
        #expect(routing.classification == "in-confidence")
        #expect(routing.caseReference == "OP-2025-117")
        #expect(routing.agreement == nil)
        #expect(message.clear.expiresAt == Fixtures.now.addingTimeInterval(3600))
    }

    @Test func listsEveryClaimPathWithoutValues() throws {
        let message = try Fixtures.verifier().verify(try Fixtures.issue(), now: Fixtures.now)
        #expect(message.pathStrings == [
            "employer", "employer.name", "indicators", "indicators[*]", "subject", "subject.addresses",
            "subject.addresses[*]", "subject.addresses[*].city", "subject.addresses[*].street",
            "subject.date_of_birth", "subject.name", "subject.passport_number",
        ])
        #expect(message.clearPaths.isEmpty)
        #expect(message.disclosures.count == 13)
    }

    @Test func everyNonRoutingClaimIsConcealedInThePayload() throws {
        let text = try Fixtures.issue()
        let payloadPart = text.split(separator: ".")[1]
        let payload = try JSONParser.parse(try Base64URL.decode(payloadPart))
        #expect(Set(payload.objectValue!.keys) == ["iss", "jti", "iat", "exp", "accord", "cnf", "_sd_alg", "_sd"])
        #expect(payload["_sd_alg"] == "sha-256")
        let digests = payload["_sd"]!.arrayValue!.compactMap(\.stringValue)
        #expect(digests == digests.sorted())
        #expect(digests.count == 3)
        #expect(!String(decoding: try Base64URL.decode(payloadPart), as: UTF8.self).contains("FJ1234567"))
    }

    @Test func decoyDigestsAreAddedAndIgnored() throws {
        var options = SDJWTIssuer.Options()
        options.decoysPerObject = 3
        let text = try Fixtures.issue(options: options)
        let payload = try JSONParser.parse(try Base64URL.decode(text.split(separator: ".")[1]))
        #expect(payload["_sd"]!.arrayValue!.count == 6)
        let message = try Fixtures.verifier().verify(text, now: Fixtures.now)
        #expect(message.claims["subject"]?["passport_number"] == "FJ1234567")
    }

    @Test func disclosuresMayArriveInAnyOrder() throws {
        let text = try Fixtures.issue()
        var parts = text.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        let jwt = parts.removeFirst()
        parts.removeLast()
        let shuffled = ([jwt] + parts.reversed()).joined(separator: "~") + "~"
        let message = try Fixtures.verifier().verify(shuffled, now: Fixtures.now)
        #expect(message.claims["indicators"] == ["debt bondage", "passport withheld"])
    }

    @Test func undisclosedArrayElementsAndClaimsAreAbsent() throws {
        let text = try Fixtures.issue()
        let full = try Fixtures.verifier().verify(text, now: Fixtures.now)
        let withoutIndicatorElements = full.redact(permitting: ["indicators", "subject.name"])
        let message = try Fixtures.verifier().verify(withoutIndicatorElements.serialization, now: Fixtures.now)
        #expect(message.claims["indicators"] == [])
        #expect(message.claims["subject"] == ["name": "Sione Tupou"])
        #expect(message.claims["employer"] == nil)
        #expect(message.pathStrings == ["indicators", "subject", "subject.name"])
    }

    @Test func issuerRefusesReservedAndMissingClaims() throws {
        var reserved = Fixtures.message
        reserved["details"] = ["_sd": ["x"]]
        #expect(Fixtures.expectCode(.reservedClaimName) { _ = try Fixtures.issue(reserved) } == nil)
        var cnf = Fixtures.message
        cnf["cnf"] = ["jwk": [:]]
        #expect(Fixtures.expectCode(.invalidInput) { _ = try Fixtures.issue(cnf) } == nil)
        var noType = Fixtures.message
        noType["accord"] = ["to": ["x"], "purpose": "p", "classification": "c"]
        #expect(Fixtures.expectCode(.invalidInput) { _ = try Fixtures.issue(noType) } == nil)
    }

    @Test func issuesFromJSONText() throws {
        let issuer = try SDJWTIssuer(signingKey: Fixtures.es256Issuer, kid: Fixtures.kid)
        let text = try issuer.issue(json: CanonicalJSON.string(.object(Fixtures.message)), holderKey: Fixtures.gatewayKey.publicKey)
        _ = try Fixtures.verifier().verify(text, now: Fixtures.now)
        #expect(Fixtures.expectCode(.duplicateJSONKey) {
            _ = try issuer.issue(json: #"{"iss":"a","iss":"b"}"#, holderKey: Fixtures.gatewayKey.publicKey)
        } == nil)
    }

    @Test func clearNestedClaimsAreListedAsClear() throws {
        var payload = Fixtures.basePayload
        let name = Fixtures.disclosure(["salt1", "name", "Ana"])
        payload["subject"] = ["nationality": "TO", "_sd": [.string(Fixtures.digest(name))]]
        let text = try Fixtures.sign(payload: payload) + "~" + name + "~"
        let message = try Fixtures.verifier().verify(text, now: Fixtures.now)
        #expect(message.pathStrings == ["subject", "subject.name", "subject.nationality"])
        #expect(message.clearPaths.map(\.description) == ["subject", "subject.nationality"])
    }
}
