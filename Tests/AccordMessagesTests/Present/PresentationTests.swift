import AccordCore
import AccordCrypto
import AccordMessages
import Foundation
import Testing

@Suite struct PresentationTests {
    typealias F = Fixtures
    let decision = GatewayDecision(agreementID: "inz-police-2024", agreementDigest: "q1w2e3", auditLeafIndex: 42, withheldPaths: [])

    private func present(permitting: Set<String>, gateway: PrivateKey = Fixtures.gatewayKey) throws -> (String, RedactedSDJWT) {
        let message = try F.verifier().verify(try F.issue(holder: gateway), now: F.now)
        let redacted = message.redact(permitting: permitting)
        var decision = decision
        decision.withheldPaths = redacted.withheldPaths
        let text = try KeyBinder(gatewayKey: gateway).present(
            redacted, of: message, audience: "immigration-nz", nonce: "delivery-7", decision: decision, issuedAt: F.now)
        return (text, redacted)
    }

    private var expectation: KeyBindingExpectation { KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-7") }

    @Test func permittedPathKeepsItsAncestorsAndNothingElse() throws {
        let (text, redacted) = try present(permitting: ["subject.addresses[*].city", "indicators[*]"])
        #expect(redacted.disclosedPaths == ["indicators", "indicators[*]", "subject", "subject.addresses", "subject.addresses[*]", "subject.addresses[*].city"])
        #expect(redacted.withheldPaths == ["employer", "employer.name", "subject.addresses[*].street", "subject.date_of_birth", "subject.name", "subject.passport_number"])
        let received = try F.verifier().verify(text, now: F.now, keyBinding: expectation)
        #expect(received.claims["subject"] == ["addresses": [["city": "Auckland"]]])
        #expect(received.claims["indicators"] == ["debt bondage", "passport withheld"])
        #expect(received.claims["employer"] == nil)
        #expect(!text.contains(Base64URL.encode(Array("FJ1234567".utf8)).prefix(8)))
        let binding = try #require(received.keyBinding)
        #expect(binding.audience == "immigration-nz")
        #expect(binding.nonce == "delivery-7")
        #expect(binding.decision?.agreementID == "inz-police-2024")
        #expect(binding.decision?.auditLeafIndex == 42)
        #expect(binding.decision?.withheldPaths == redacted.withheldPaths)
        #expect(binding.sdHash == Base64URL.encode(SHA256.hash(Array(redacted.serialization.utf8))))
    }

    @Test func withheldObjectDropsAllItsDescendants() throws {
        let (_, redacted) = try present(permitting: ["employer.name"])
        #expect(redacted.disclosedPaths == ["employer", "employer.name"])
        #expect(redacted.withheldPaths.contains("subject.addresses[*].city"))
        #expect(redacted.serialization.split(separator: "~").count == 3)
    }

    @Test func permittingNothingLeavesOnlyTheRoutingClaims() throws {
        let (text, redacted) = try present(permitting: [])
        #expect(redacted.disclosedPaths.isEmpty)
        let received = try F.verifier().verify(text, now: F.now, keyBinding: expectation)
        #expect(Set(received.claims.keys) == ["iss", "jti", "iat", "exp", "accord", "cnf"])
        #expect(received.paths.isEmpty)
    }

    @Test func edDSAGatewayBindsToo() throws {
        let (text, _) = try present(permitting: ["subject.name"], gateway: F.edGatewayKey)
        let received = try F.verifier().verify(text, now: F.now, keyBinding: expectation)
        #expect(received.claims["subject"] == ["name": "Sione Tupou"])
    }

    @Test func kbJWTHasTheRFCHeaderAndClaims() throws {
        let (text, _) = try present(permitting: ["subject.name"])
        let kb = String(text.split(separator: "~").last!)
        let jws = try CompactJWS(parsing: kb)
        #expect(try JSONParser.parse(jws.header) == ["alg": "ES256", "typ": "kb+jwt"])
        let payload = try JSONParser.parse(jws.payload)
        #expect(Set(payload.objectValue!.keys) == ["iat", "aud", "nonce", "sd_hash", "accord"])
        #expect(payload["iat"] == .integer(Int(F.now.timeIntervalSince1970)))
        #expect(payload["accord"] == ["agreement": "inz-police-2024", "agreement_digest": "q1w2e3", "audit_leaf": 42, "withheld": .array(
            ["employer", "employer.name", "indicators", "indicators[*]", "subject.addresses", "subject.addresses[*]",
             "subject.addresses[*].city", "subject.addresses[*].street", "subject.date_of_birth", "subject.passport_number"].map { .string($0) })])
        try jws.verify(with: JWSVerifier(key: F.gatewayKey.publicKey))
    }

    @Test func gatewayRefusesToBindAMessageNotBoundToIt() throws {
        let message = try F.verifier().verify(try F.issue(holder: F.edGatewayKey), now: F.now)
        let binder = try KeyBinder(gatewayKey: F.gatewayKey)
        #expect(throws: MessageError(.holderKeyMismatch, "the message's 'cnf.jwk' does not name this gateway's key")) {
            try binder.present(message.redact(permitting: []), of: message, audience: "a", nonce: "n", decision: decision, issuedAt: F.now)
        }
    }

    @Test func keyBindingChecks() throws {
        let (text, _) = try present(permitting: ["subject.name"])
        let verifier = F.verifier()
        func code(_ text: String, _ expectation: KeyBindingExpectation, now: Date = Fixtures.now) -> MessageError.Code? {
            do { _ = try verifier.verify(text, now: now, keyBinding: expectation); return nil } catch { return error.code }
        }
        #expect(code(text, expectation) == nil)
        #expect(code(text, KeyBindingExpectation(audience: "nz-customs", nonce: "delivery-7")) == .keyBindingAudienceMismatch)
        #expect(code(text, KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-8")) == .keyBindingNonceMismatch)
        #expect(code(text, expectation, now: F.now.addingTimeInterval(400)) == .keyBindingNotFresh)
        #expect(code(text, expectation, now: F.now.addingTimeInterval(-61)) == .keyBindingNotFresh)
        // Adding, dropping or reordering a disclosure after binding breaks sd_hash.
        var parts = text.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        let kb = parts.removeLast()
        #expect(code(parts.dropLast(2).joined(separator: "~") + "~~" + kb, expectation) != nil)
        let withoutOne = ([parts[0]] + parts[2...]).joined(separator: "~") + "~" + kb
        #expect(code(withoutOne, expectation) == .keyBindingHashMismatch)
        let plain = parts.joined(separator: "~") + "~"
        #expect(code(plain, expectation) == .keyBindingMissing)
        // A KB-JWT signed by a key other than cnf's.
        let message = try verifier.verify(plain, now: F.now)
        let other = try PrivateKey.generate(.es256)
        let otherKB = try CompactJWS.sign(
            header: CanonicalJSON.encode(["alg": "ES256", "typ": "kb+jwt"]),
            payload: CanonicalJSON.encode(["iat": .integer(Int(F.now.timeIntervalSince1970)), "aud": "immigration-nz", "nonce": "delivery-7",
                                           "sd_hash": .string(Base64URL.encode(SHA256.hash(Array(plain.utf8))))]),
            signer: JWSSigner(key: other))
        #expect(code(plain + otherKB, expectation) == .keyBindingSignatureInvalid)
        #expect(message.holderKey == F.gatewayKey.publicKey.jwk)
        let wrongTyp = try CompactJWS.sign(
            header: CanonicalJSON.encode(["alg": "ES256", "typ": "JWT"]),
            payload: CanonicalJSON.encode(["iat": .integer(Int(F.now.timeIntervalSince1970)), "aud": "immigration-nz", "nonce": "delivery-7",
                                           "sd_hash": .string(Base64URL.encode(SHA256.hash(Array(plain.utf8))))]),
            signer: JWSSigner(key: F.gatewayKey))
        #expect(code(plain + wrongTyp, expectation) == .keyBindingInvalid)
    }
}
