import AccordCore
import AccordCrypto
import AccordMessages
import Foundation
import Testing

/// One test per rejection rule: each builds the offending SD-JWT, signed correctly so that
/// only the rule under test can refuse it, and asserts the stable error code.
@Suite struct RejectionTests {
    typealias F = Fixtures

    private func reject(
        _ code: MessageError.Code, _ text: String, verifier: SDJWTVerifier = Fixtures.verifier(), now: Date = Fixtures.now,
        keyBinding: KeyBindingExpectation? = nil, mentions: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try verifier.verify(text, now: now, keyBinding: keyBinding)
            Issue.record("accepted; expected \(code.rawValue)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let mentions { #expect(error.message.contains(mentions), "\(error)", sourceLocation: sourceLocation) }
        }
    }

    /// A payload whose top-level `_sd` references the given disclosures.
    private func sdJWT(_ disclosures: [String], referenced: [String]? = nil, extra: [String: JSONValue] = [:]) throws -> String {
        var payload = F.basePayload
        payload["_sd"] = .array((referenced ?? disclosures.map(F.digest)).map { .string($0) })
        payload.merge(extra) { _, new in new }
        return try F.sign(payload: payload) + "~" + disclosures.map { $0 + "~" }.joined()
    }

    @Test func unreferencedDisclosure() throws {
        let a = F.disclosure(["s1", "a", 1])
        let stray = F.disclosure(["s2", "b", 2])
        reject(.disclosureUnreferenced, try sdJWT([a, stray], referenced: [F.digest(a)]), mentions: "disclosure 1")
    }

    /// Digests are compared as bytes: one spelt with a character that is merely Unicode-
    /// equivalent (KELVIN SIGN for "K") references nothing, and is not a digest at all.
    @Test func digestsAreComparedAsBytes() throws {
        var found = false
        for salt in 0..<64 {
            let a = F.disclosure([.string("kelvin-\(salt)"), "a", 1])
            let digest = F.digest(a)
            guard let k = digest.firstIndex(of: "K") else { continue }
            var lookalike = digest
            lookalike.replaceSubrange(k...k, with: "\u{212A}")
            #expect(lookalike == digest, "Swift String equality is canonical equivalence: the test's premise")
            reject(.malformedDigest, try sdJWT([a], referenced: [lookalike]), mentions: "(top level)")
            found = true
            break
        }
        #expect(found, "no digest with a K among 64 salts")
    }

    @Test func digestReferencedTwice() throws {
        let a = F.disclosure(["s1", "a", 1])
        reject(.digestRepeated, try sdJWT([a], referenced: [F.digest(a), F.digest(a)]))
        let element = F.disclosure(["s2", "x"])
        var payload = F.basePayload
        payload["list"] = [["...": .string(F.digest(element))], ["...": .string(F.digest(element))]]
        reject(.digestRepeated, try F.sign(payload: payload) + "~" + element + "~", mentions: "list[*]")
        // A digest repeated inside a disclosed value counts too.
        let inner = F.disclosure(["s3", "inner", 1])
        let outer = F.disclosure(["s4", "outer", ["_sd": [.string(F.digest(inner))]]])
        reject(.digestRepeated, try sdJWT([inner, outer], referenced: [F.digest(outer), F.digest(inner)]))
    }

    @Test func disclosureUsedTwice() throws {
        let a = F.disclosure(["s1", "a", 1])
        reject(.disclosureRepeated, try sdJWT([a, a], referenced: [F.digest(a)]), mentions: "disclosure 1 repeats disclosure 0")
    }

    @Test(arguments: ["_sd", "..."])
    func reservedNameInsideDisclosure(_ name: String) throws {
        let bad = F.disclosure(["s1", .string(name), ["x"]])
        reject(.reservedClaimName, try sdJWT([bad]), mentions: "disclosure 0")
    }

    @Test func disclosedNameAlreadyInClear() throws {
        let shadow = F.disclosure(["s1", "jti", "other"])
        reject(.claimNameCollision, try sdJWT([shadow]), mentions: "disclosure 0")
        let first = F.disclosure(["s2", "name", "A"])
        let second = F.disclosure(["s3", "name", "B"])
        reject(.claimNameCollision, try sdJWT([first, second]))
    }

    @Test func malformedBase64URL() throws {
        let good = try F.issue()
        var parts = good.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        parts[1] = parts[1] + "="
        reject(.invalidBase64URL, parts.joined(separator: "~"), mentions: "disclosure 0")
        parts = good.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        parts[2] = "*" + parts[2].dropFirst()
        reject(.invalidBase64URL, parts.joined(separator: "~"), mentions: "disclosure 1")
        var jwt = good.split(separator: ".", maxSplits: 1).map(String.init)
        jwt[1] = "!" + jwt[1]
        reject(.invalidBase64URL, jwt.joined(separator: "."), mentions: "issuer JWT payload")
    }

    @Test func duplicateKeysInPayloadDisclosureOrHeader() throws {
        var base = F.basePayload
        base["iss"] = nil
        let body = String(try CanonicalJSON.string(.object(base)).dropFirst())
        reject(.duplicateJSONKey, try F.sign(rawPayload: #"{"iss":"nz-police","iss":"customs","# + body) + "~", mentions: "issuer JWT payload")
        let duplicated = Base64URL.encode(Array(#"["salt","name","A","name"]"#.utf8))
        let objectDup = Base64URL.encode(Array(#"["salt","p",{"a":1,"a":2}]"#.utf8))
        reject(.duplicateJSONKey, try sdJWT([objectDup]), mentions: "disclosure 0")
        reject(.malformedDisclosure, try sdJWT([duplicated]))
        let header = Base64URL.encode(Array(#"{"alg":"ES256","typ":"accord+sd-jwt","kid":"police-signing-2025","kid":"x"}"#.utf8))
        let valid = try sdJWT([])
        let rest = valid.split(separator: ".", maxSplits: 1)[1]
        reject(.duplicateJSONKey, header + "." + rest, mentions: "issuer JWT header")
    }

    @Test func moreDisclosuresThanTheLimit() throws {
        let disclosures = (0..<5).map { F.disclosure([.string("s\($0)"), .string("c\($0)"), 1]) }
        let text = try sdJWT(disclosures)
        reject(.tooManyDisclosures, text, verifier: F.verifier { $0.maxDisclosures = 4 })
        #expect(throws: Never.self) { try F.verifier { $0.maxDisclosures = 5 }.verify(text, now: F.now) }
        #expect(VerifierConfiguration().maxDisclosures == 512)
    }

    @Test func nestingDeeperThanTheLimit() throws {
        var value: JSONValue = 1
        for _ in 0..<16 { value = ["n": value] }
        var payload = F.basePayload
        payload["deep"] = value
        reject(.nestingTooDeep, try F.sign(payload: payload) + "~")
        // The same depth reached through disclosures, each of which is shallow by itself.
        var innermost = F.disclosure(["s0", "n", 1])
        var chain = [innermost]
        for level in 1...16 {
            innermost = F.disclosure([.string("s\(level)"), "n", ["_sd": [.string(F.digest(innermost))]]])
            chain.append(innermost)
        }
        reject(.nestingTooDeep, try sdJWT(chain, referenced: [F.digest(innermost)]))
        #expect(throws: Never.self) { try F.verifier { $0.maxDepth = 17 }.verify(try sdJWT(chain, referenced: [F.digest(innermost)]), now: F.now) }
        #expect(VerifierConfiguration().maxDepth == 16)
    }

    @Test func sdJWTOverTheSizeLimit() throws {
        let text = try F.issue()
        reject(.tooLarge, text, verifier: F.verifier { $0.maxBytes = text.utf8.count - 1 })
        reject(.tooLarge, text + String(repeating: "A", count: 1 << 20))
        #expect(VerifierConfiguration().maxBytes == 1_048_576)
    }

    @Test func expiredOrIssuedInTheFuture() throws {
        let text = try F.issue()
        let exp = F.now.addingTimeInterval(3600)
        reject(.expired, text, now: exp.addingTimeInterval(60))
        #expect(throws: Never.self) { try F.verifier().verify(text, now: exp.addingTimeInterval(59)) }
        let iat = F.now.addingTimeInterval(-10)
        reject(.issuedInFuture, text, now: iat.addingTimeInterval(-61))
        #expect(throws: Never.self) { try F.verifier().verify(text, now: iat.addingTimeInterval(-60)) }
        reject(.expired, text, verifier: F.verifier { $0.clockSkew = 0 }, now: exp)
        var payload = F.basePayload
        payload["nbf"] = .integer(Int(F.now.timeIntervalSince1970) + 600)
        reject(.notYetValid, try F.sign(payload: payload) + "~")
    }

    @Test func headerChecks() throws {
        let payload = F.basePayload
        reject(.unsupportedAlgorithm, try F.sign(payload: payload, header: ["alg": "none", "typ": "accord+sd-jwt", "kid": .string(F.kid)]) + "~")
        reject(.unsupportedAlgorithm, try F.sign(payload: payload, header: ["alg": "HS256", "typ": "accord+sd-jwt", "kid": .string(F.kid)]) + "~")
        reject(.unsupportedAlgorithm, try F.sign(payload: payload, header: ["alg": "EdDSA", "typ": "accord+sd-jwt", "kid": .string(F.kid)]) + "~")
        reject(.wrongType, try F.sign(payload: payload, header: ["alg": "ES256", "typ": "JWT", "kid": .string(F.kid)]) + "~")
        reject(.wrongType, try F.sign(payload: payload, header: ["alg": "ES256", "kid": .string(F.kid)]) + "~")
        reject(.missingKeyReference, try F.sign(payload: payload, header: ["alg": "ES256", "typ": "accord+sd-jwt"]) + "~")
        reject(.unsupportedCriticalHeader, try F.sign(payload: payload, header: ["alg": "ES256", "typ": "accord+sd-jwt", "kid": .string(F.kid), "crit": ["b64"]]) + "~")
        reject(.issuerKeyUnresolved, try F.sign(payload: payload, header: ["alg": "ES256", "typ": "accord+sd-jwt", "kid": "other"]) + "~", mentions: "nz-police")
        #expect(throws: Never.self) {
            try F.verifier().verify(try F.sign(payload: payload, header: ["alg": "ES256", "typ": "application/accord+sd-jwt", "kid": .string(F.kid)]) + "~", now: F.now)
        }
    }

    @Test func signatureByAnotherKey() throws {
        let forged = try F.sign(payload: F.basePayload, key: try PrivateKey.generate(.es256)) + "~"
        reject(.signatureInvalid, forged)
    }

    @Test func digestAlgorithmOtherThanSHA256() throws {
        reject(.unsupportedDigestAlgorithm, try sdJWT([], extra: ["_sd_alg": "sha-512"]))
    }

    @Test func malformedDisclosuresAndPayloadStructure() throws {
        reject(.malformedDisclosure, try sdJWT([Base64URL.encode(Array(#"{"a":1}"#.utf8))]))
        reject(.malformedDisclosure, try sdJWT([F.disclosure([1, "a", 1])]))
        reject(.malformedDisclosure, try sdJWT([F.disclosure(["s", 1, 1])]))
        reject(.malformedDisclosure, try sdJWT([F.disclosure(["s", "a", 1, 2])]))
        reject(.malformedDisclosure, try sdJWT([F.disclosure(["s", "element-in-_sd"])]), mentions: "disclosure 0")
        let named = F.disclosure(["s", "a", 1])
        var payload = F.basePayload
        payload["list"] = [["...": .string(F.digest(named))]]
        reject(.malformedDisclosure, try F.sign(payload: payload) + "~" + named + "~")
        reject(.invalidJSON, try sdJWT([Base64URL.encode(Array("[\"s\",".utf8))]), mentions: "disclosure 0")
        reject(.malformedPayload, try sdJWT([], extra: ["x": ["_sd": "notarray"]]))
        reject(.malformedPayload, try sdJWT([], extra: ["x": ["_sd": [1]]]))
        reject(.malformedPayload, try sdJWT([], extra: ["x": ["...": "d"]]))
        reject(.malformedPayload, try sdJWT([], extra: ["x": [["...": "d", "y": 1]]]))
        reject(.malformedSerialization, try F.issue().replacingOccurrences(of: "~", with: "~~"))
        reject(.malformedSerialization, try F.sign(payload: F.basePayload))
    }

    @Test func routingClaimsMustBeInClear() throws {
        var payload = F.basePayload
        let hidden = F.disclosure(["s", "purpose", "investigation"])
        payload["accord"] = ["type": "referral", "to": ["immigration-nz"], "classification": "restricted", "_sd": [.string(F.digest(hidden))]]
        reject(.invalidRoutingClaims, try F.sign(payload: payload) + "~" + hidden + "~")
        payload = F.basePayload
        let agreement = F.disclosure(["s", "agreement", "inz-police"])
        payload["accord"] = ["type": "referral", "to": ["immigration-nz"], "purpose": "p", "classification": "c", "_sd": [.string(F.digest(agreement))]]
        reject(.invalidRoutingClaims, try F.sign(payload: payload) + "~" + agreement + "~", mentions: "disclosure 0")
        payload = F.basePayload
        payload["jti"] = nil
        reject(.invalidRoutingClaims, try F.sign(payload: payload) + "~")
        payload = F.basePayload
        payload["accord"] = ["type": "referral", "to": [], "purpose": "p", "classification": "c"]
        reject(.invalidRoutingClaims, try F.sign(payload: payload) + "~")
    }

    @Test func keyBindingWhereNoneIsExpected() throws {
        let text = try F.issue()
        let message = try F.verifier().verify(text, now: F.now)
        let presented = try KeyBinder(gatewayKey: F.gatewayKey).present(
            message.redact(permitting: []), of: message, audience: "immigration-nz", nonce: "d-1",
            decision: GatewayDecision(agreementID: "a", agreementDigest: "d", auditLeafIndex: 1, withheldPaths: []), issuedAt: F.now)
        reject(.keyBindingUnexpected, presented)
    }

    @Test func everyErrorCodeIsDistinct() {
        let raw = MessageError.Code.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
    }
}
