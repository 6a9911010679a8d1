import AccordAudit
import Testing

/// RFC 8785 for the integer-only subset: ordering by UTF-16, escaping, and refusal of
/// non-canonical or unsupported input.
@Suite struct CanonicalJSONTests {
    func text(_ value: JSONValue) throws -> String {
        String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
    }

    @Test func sortsByUTF16AndEscapesLikeECMAScript() throws {
        // By UTF-16 code units U+1F600 (D83D DE00) sorts before U+FB33, unlike by scalar value.
        let value: JSONValue = .object([
            "\u{FB33}": .integer(1), "\u{1F600}": .integer(2), "\u{20AC}": .integer(3), "b": .bool(true), "a": .null,
            "s": .string("quote\" back\\ nl\n tab\t ctl\u{01} del\u{7F} é /"), "n": .integer(-9007199254740991),
            "arr": .array([.integer(0), .string("")]),
        ])
        #expect(try text(value) == "{\"a\":null,\"arr\":[0,\"\"],\"b\":true,\"n\":-9007199254740991,\"s\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 del\u{7F} é /\",\"\u{20AC}\":3,\"\u{1F600}\":2,\"\u{FB33}\":1}")
    }

    @Test func decodesOnlyCanonicalText() throws {
        let canonical = Array("{\"a\":[1,\"x\"],\"b\":{\"c\":false}}".utf8)
        #expect(try CanonicalJSON.decodeCanonical(canonical) == .object(["a": .array([.integer(1), .string("x")]), "b": .object(["c": .bool(false)])]))
        for text in ["{\"b\":1,\"a\":2}", "{ \"a\":1}", "{\"a\":1.0}", "{\"a\":1e3}", "{\"a\":01}", "{\"a\":\"\\u0041\"}",
                     "{\"a\":1,\"a\":1}", "{\"a\":9007199254740992}", "{\"a\":\"\\ud800\"}", "[1,]", "{\"a\":\"\\/\"}"] {
            #expect(throws: AuditError.self, "\(text)") { try CanonicalJSON.decodeCanonical(Array(text.utf8)) }
        }
        #expect(throws: AuditError.self) { try CanonicalJSON.encode(.integer(1 << 53)) }
    }
}
