import AccordCore
import AccordCrypto
import AccordMessages
import Testing

/// Published and documented vectors: the disclosure example of RFC 9901 section 4.2.1 and
/// the worked example of docs/messages.md.
@Suite struct VectorTests {
    typealias F = Fixtures

    @Test func rfc9901DisclosureExampleResolves() throws {
        let disclosure = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
        #expect(F.digest(disclosure) == "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0")
        var payload = F.basePayload
        payload["_sd"] = ["X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"]
        let message = try F.verifier().verify(try F.sign(payload: payload) + "~" + disclosure + "~", now: F.now)
        #expect(message.claims["family_name"] == "Möbius")
        #expect(message.disclosures.first?.salt == "_26bc4LT-ac6q2KI6cBW5es")
    }

    @Test func workedExampleOfTheDocumentation() throws {
        let cases: [([JSONValue], String, String)] = [
            (["2GLC42sKQveCfGfryNRN9w", "name", "Sione Tupou"],
             "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwibmFtZSIsIlNpb25lIFR1cG91Il0", "8Pm2upsVhFECwYh0NJZbMWknEufgYASEsbiNQvXraMI"),
            (["6Ij7tM-a5iVPGboS5tmvVA", "debt bondage"],
             "WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwiZGVidCBib25kYWdlIl0", "FDJsdsaIwIE4g6aLeGqKzNIiMME3k0SlnVisEDhSVPI"),
        ]
        for (elements, encoded, digest) in cases {
            #expect(F.disclosure(elements) == encoded)
            #expect(F.digest(encoded) == digest)
        }
    }
}
