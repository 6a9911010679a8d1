import AccordCore
import AccordCrypto
import AccordMessages
import AccordTestSupport
import Foundation
import Testing

/// Interoperability with the reference implementation (PyPI `sd-jwt` 0.10.4), driven through
/// the scripts in `Tests/Interop/`, in the tests' own Python environment (`PythonEnvironment`).
@Suite(.serialized, .needsPython) struct ReferenceInteropTests {
    typealias F = Fixtures

    /// The fixture message plus values whose encoding differs between implementations:
    /// non-ASCII text (Python escapes it), a fraction, nested arrays, an empty object.
    static var message: [String: JSONValue] {
        var message = Fixtures.message
        message["community"] = ["iwi": "Ngāti Whātua", "note": "quote \" and \\ and 😀"]
        message["risk"] = ["score": .number("0.75"), "flags": [[1, 2], [3]], "extra": .object([:])]
        return message
    }

    private func expectedClaims(holder: PrivateKey) -> JSONValue {
        var claims = Self.message
        claims["cnf"] = ["jwk": PythonInterop.jwk(holder.publicKey)]
        return .object(claims)
    }

    @Test(arguments: [KeyAlgorithm.es256, .edDSA], [false, true])
    func referenceIssuedVerifiesHere(_ algorithm: KeyAlgorithm, decoys: Bool) async throws {
        let key = algorithm == .es256 ? F.es256Issuer : F.edIssuer
        let text = try await PythonInterop.issue(Self.message, key: key, holder: F.gatewayKey.publicKey, decoys: decoys)
        let message = try F.verifier(key).verify(text, now: F.now)
        #expect(.object(message.claims) == expectedClaims(holder: F.gatewayKey))
        #expect(message.pathStrings.contains("risk.flags[*][*]"))
        #expect(message.pathStrings.contains("subject.addresses[*].city"))
        #expect(message.clearPaths.isEmpty)
        #expect(message.routing.recipients == ["immigration-nz", "labour-inspectorate"])
    }

    @Test(arguments: [KeyAlgorithm.es256, .edDSA])
    func issuedHereVerifiesWithTheReference(_ algorithm: KeyAlgorithm) async throws {
        let key = algorithm == .es256 ? F.es256Issuer : F.edIssuer
        var options = SDJWTIssuer.Options()
        options.decoysPerObject = 2
        let text = try F.issue(Self.message, key: key, options: options)
        let results = try await PythonInterop.verify([.init(sdJWT: text)], issuerKey: key.publicKey)
        #expect(try results[0].get() == expectedClaims(holder: F.gatewayKey))
    }

    @Test func redactedPresentationWithGatewayBindingVerifiesWithTheReference() async throws {
        let (presentation, received) = try presentHere(permitting: ["subject.name", "subject.addresses[*].city", "indicators[*]", "community.iwi"])
        let results = try await PythonInterop.verify(
            [.init(sdJWT: presentation, audience: "immigration-nz", nonce: "delivery-7")], issuerKey: F.es256Issuer.publicKey)
        #expect(try results[0].get() == .object(received.claims))
        #expect(received.claims["subject"] == ["name": "Sione Tupou", "addresses": [["city": "Auckland"]]])
        // The reference verifier checks aud and nonce as well.
        let wrong = try await PythonInterop.verify(
            [.init(sdJWT: presentation, audience: "nz-customs", nonce: "delivery-7"),
             .init(sdJWT: presentation, audience: "immigration-nz", nonce: "delivery-8")],
            issuerKey: F.es256Issuer.publicKey)
        #expect(wrong.allSatisfy { if case .failure = $0 { true } else { false } })
    }

    @Test func referenceHolderPresentationVerifiesHere() async throws {
        // The reference holder stamps its KB-JWT with the real clock, so this message does too.
        var current = Self.message
        let now = Int(Date().timeIntervalSince1970)
        current["iat"] = .integer(now)
        current["exp"] = .integer(now + 600)
        let issued = try F.issue(current)
        let presentation = try await PythonInterop.present(
            issued, disclose: ["subject": ["name": true], "indicators": [true, false]], holderKey: F.gatewayKey,
            audience: "immigration-nz", nonce: "delivery-9")
        let message = try F.verifier().verify(
            presentation, now: Date(), keyBinding: KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-9"))
        #expect(message.claims["subject"] == ["name": "Sione Tupou"])
        #expect(message.claims["indicators"] == ["debt bondage"])
        #expect(message.keyBinding?.decision == nil)
    }

    @Test func flippingAByteInAnyPartIsCaughtByBoth() async throws {
        let expectation = KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-7")
        let (presentation, received) = try presentHere(permitting: ["subject.name", "subject.addresses[*].city", "indicators[*]"])
        let referenceIssued = try await PythonInterop.issue(Self.message, key: F.es256Issuer, holder: F.gatewayKey.publicKey)
        let referenceClaims = try F.verifier().verify(referenceIssued, now: F.now).claims

        for (original, claims, keyBinding) in [(presentation, received.claims, true), (referenceIssued, referenceClaims, false)] {
            let variants = Self.flippedVariants(of: original)
            #expect(variants.count >= 6)
            for variant in variants {
                #expect(throws: MessageError.self, "Swift accepted a flip in \(variant.part)") {
                    try F.verifier().verify(variant.text, now: F.now, keyBinding: keyBinding ? expectation : nil)
                }
            }
            let results = try await PythonInterop.verify(
                variants.map { .init(sdJWT: $0.text, audience: keyBinding ? "immigration-nz" : nil, nonce: keyBinding ? "delivery-7" : nil) },
                issuerKey: F.es256Issuer.publicKey)
            for (variant, result) in zip(variants, results) {
                // The reference verifier ignores a disclosure it cannot match (see
                // docs/messages.md), so there a flip shows as a claim gone missing.
                if case .success(let payload) = result {
                    #expect(payload != .object(claims), "the reference verifier accepted a flip in \(variant.part) unchanged")
                }
            }
        }
    }

    /// Documents a divergence of sd-jwt 0.10.4: its verifier checks every KB-JWT as ES256.
    @Test func referenceVerifierRefusesEdDSAKeyBinding() async throws {
        let message = try F.verifier().verify(try F.issue(Self.message, holder: F.edGatewayKey), now: F.now)
        let redacted = message.redact(permitting: ["subject.name"])
        let presentation = try KeyBinder(gatewayKey: F.edGatewayKey).present(
            redacted, of: message, audience: "immigration-nz", nonce: "delivery-7",
            decision: GatewayDecision(agreementID: "a", agreementDigest: "d", auditLeafIndex: 0, withheldPaths: redacted.withheldPaths),
            issuedAt: F.now)
        _ = try F.verifier().verify(presentation, now: F.now, keyBinding: KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-7"))
        let results = try await PythonInterop.verify(
            [.init(sdJWT: presentation, audience: "immigration-nz", nonce: "delivery-7")], issuerKey: F.es256Issuer.publicKey)
        #expect(throws: PythonInterop.Failure.self) { try results[0].get() }
    }

    /// Redacts and binds here with the ES256 gateway key, returning the presentation and
    /// the claims this implementation's verifier sees in it.
    private func presentHere(permitting: Set<String>) throws -> (String, VerifiedMessage) {
        let message = try F.verifier().verify(try F.issue(Self.message), now: F.now)
        let redacted = message.redact(permitting: permitting)
        let presentation = try KeyBinder(gatewayKey: F.gatewayKey).present(
            redacted, of: message, audience: "immigration-nz", nonce: "delivery-7",
            decision: GatewayDecision(agreementID: "inz-police-2024", agreementDigest: "q1w2e3", auditLeafIndex: 7, withheldPaths: redacted.withheldPaths),
            issuedAt: F.now)
        let received = try F.verifier().verify(
            presentation, now: F.now, keyBinding: KeyBindingExpectation(audience: "immigration-nz", nonce: "delivery-7"))
        return (presentation, received)
    }

    struct Variant {
        let part: String
        let text: String
    }

    /// One variant per part (JWT header, payload and signature, each disclosure, the KB-JWT's
    /// three parts), each with the middle base64url character of that part changed.
    static func flippedVariants(of text: String) -> [Variant] {
        var variants: [Variant] = []
        let pieces = text.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        for (pieceIndex, piece) in pieces.enumerated() where !piece.isEmpty {
            let segments = piece.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            for (segmentIndex, segment) in segments.enumerated() {
                var characters = Array(segment)
                let middle = characters.count / 2
                characters[middle] = characters[middle] == "A" ? "B" : "A"
                var newSegments = segments
                newSegments[segmentIndex] = String(characters)
                var newPieces = pieces
                newPieces[pieceIndex] = newSegments.joined(separator: ".")
                let label = pieceIndex == 0 ? "issuer JWT part \(segmentIndex)"
                    : pieceIndex == pieces.count - 1 ? "KB-JWT part \(segmentIndex)" : "disclosure \(pieceIndex - 1)"
                variants.append(Variant(part: label, text: newPieces.joined(separator: "~")))
            }
        }
        return variants
    }
}
