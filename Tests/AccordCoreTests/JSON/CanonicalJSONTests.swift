import AccordCore
import Testing

/// RFC 8785: ordering by UTF-16, escaping, numbers as ECMAScript writes them, and refusal of
/// integers a double would round.
@Suite struct CanonicalJSONTests {
    func text(_ value: JSONValue) throws -> String {
        try CanonicalJSON.string(value)
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

    @Test func refusesIntegersADoubleWouldRound() {
        #expect(throws: CanonicalJSON.Failure.self) { try CanonicalJSON.encode(.integer((1 << 53) + 1)) }
        #expect(throws: CanonicalJSON.Failure.self) { try CanonicalJSON.encode(.number("-9007199254740993")) }
        #expect(throws: CanonicalJSON.Failure.self) { try CanonicalJSON.encode(.number("123456789012345678901234567890")) }
        #expect(throws: CanonicalJSON.Failure.self) { try CanonicalJSON.encode(.number("1e400")) }
    }

    /// Found by fuzzing (FuzzTesting/Corpus/json/whole-double-1e16.json): the writer wrote
    /// `1E16` as `10000000000000000` and then refused that text. Whatever it writes, it writes
    /// again unchanged.
    @Test(arguments: ["1E16", "9007199254740992.0", "1e20", "-1e17", "123456789012345678e3", "9007199254740992"])
    func whatTheWriterWritesItWritesAgainUnchanged(_ literal: String) throws {
        let once = try CanonicalJSON.encode(.number(literal))
        let twice = try CanonicalJSON.encode(JSONParser.parse(once))
        #expect(once == twice, "\(literal)")
    }

    /// Numbers from RFC 8785 appendix B and around ECMAScript's switches between plain and exponent form.
    @Test(arguments: [
        ("0", "0"), ("-0", "0"), ("-0.0", "0"), ("1.0", "1"), ("1e3", "1000"), ("-1.50", "-1.5"),
        ("4.50", "4.5"), ("2e-3", "0.002"), ("0.000001", "0.000001"), ("1e-7", "1e-7"), ("1e21", "1e+21"),
        ("1e20", "100000000000000000000"), ("123456789012345678e3", "123456789012345680000"), ("1.5e22", "1.5e+22"),
        ("5e-324", "5e-324"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("9007199254740992.0", "9007199254740992"),
        ("295147905179352830000.0", "295147905179352830000"), ("0.1", "0.1"), ("-1e-10", "-1e-10"),
    ])
    func writesNumbersAsECMAScript(literal: String, expected: String) throws {
        #expect(try text(.number(literal)) == expected)
    }
}
