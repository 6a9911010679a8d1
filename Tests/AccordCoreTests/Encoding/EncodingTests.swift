import AccordCore
import Testing

@Suite struct EncodingTests {
    /// RFC 4648 section 10 vectors, in the URL-safe alphabet without padding.
    @Test func base64URLVectors() throws {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(plain) == encoded)
            #expect(try Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(try Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test func base64URLIsStrict() {
        for bad in ["Zg==", "Zm9v+", "Zm9v/", "Z", "Zh", "Zm9 v"] {
            #expect(throws: Base64URL.Failure.self, "\(bad)") { try Base64URL.decode(bad) }
        }
    }

    @Test func hexRoundTrip() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
