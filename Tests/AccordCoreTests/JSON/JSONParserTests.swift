import AccordCore
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" {"a": [1, -2.5e3, "x\u00e9\ud83d\ude00\n", true, false, null], "b": {}} "#)
        #expect(value == ["a": [.number("1"), .number("-2.5e3"), "xé😀\n", true, false, nil], "b": .object([:])])
    }

    @Test func refusesDuplicateKeysAtAnyDepth() {
        for text in [#"{"a":1,"a":2}"#, #"{"x":{"b":1,"c":2,"b":3}}"#, #"[{"k":1},{"k":1,"k":1}]"#] {
            #expect {
                try JSONParser.parse(text)
            } throws: { error in
                guard let failure = error as? JSONParser.Failure, case .duplicateKey = failure.kind else { return false }
                return true
            }
        }
    }

    @Test func namesThePathOfTheObjectWithTheDuplicate() throws {
        do {
            _ = try JSONParser.parse(#"{"subject":{"name":"a","name":"b"}}"#)
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.kind == .duplicateKey(path: "$.subject"))
        }
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "1e", "\"\\x\"", "\"\u{01}\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "tru", "nul", "{\"a\" 1}", "[1 2]", "1 2", "'a'", "\u{FEFF}{}", "NaN", "+1",
    ])
    func refusesMalformedText(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 5) + String(repeating: "]", count: 5)
        _ = try JSONParser.parse(deep, maxDepth: 5)
        do {
            _ = try JSONParser.parse(deep, maxDepth: 4)
            Issue.record("nesting beyond the limit accepted")
        } catch {
            #expect(error.kind == .tooDeep(limit: 4))
        }
    }

    @Test func writesCanonicallyWithSortedKeysAndRoundTrips() throws {
        let value: JSONValue = ["b": [1, "t\"\\\u{01}\n"], "a": nil, "é": true, "Z": .number("1.50")]
        let text = try CanonicalJSON.string(value)
        // RFC 8785 writes the number 1.50 as ECMAScript does, 1.5; the value is otherwise unchanged.
        #expect(text == #"{"Z":1.5,"a":null,"b":[1,"t\"\\\u0001\n"],"é":true}"#)
        var expected = value.objectValue!
        expected["Z"] = .number("1.5")
        #expect(try JSONParser.parse(text) == .object(expected))
    }
}
