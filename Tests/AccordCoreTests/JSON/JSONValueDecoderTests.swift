import AccordCore
import Foundation
import Testing

/// `JSONValueDecoder` reads what `JSONValueEncoder` writes, agrees with Foundation's
/// `JSONDecoder` on well-formed answers, and refuses what the strict parser refuses; every
/// failure names the member by its path and never quotes a value.
@Suite struct JSONValueDecoderTests {
    typealias Item = JSONValueEncoderTests.Item
    typealias Page = JSONValueEncoderTests.Page

    static let page = Page(items: [
        Item(deliveryID: "d-1/\"é\"\n", state: .delivered, attempts: 2, auditLeaf: 41, withheld: ["informant", "health.concerns"],
             ratio: 1.5, nested: ["b": [3, -1], "a": []], flag: true),
        Item(deliveryID: "d-2", state: .pending, attempts: 0, auditLeaf: nil, withheld: [], ratio: -0.25, nested: [:], flag: false),
    ], next: nil)

    @Test func readsWhatTheEncoderWritesAsFoundationReadsIt() throws {
        let bytes = try JSONValueEncoder().canonicalBytes(Self.page)
        let decoded = try JSONValueDecoder().decode(Page.self, from: bytes)
        #expect(decoded == Self.page)
        #expect(decoded == (try JSONDecoder().decode(Page.self, from: Data(bytes))))
    }

    @Test(arguments: [
        (#"{"items": [{"delivery_id": 7, "state": "pending", "attempts": 0, "withheld": [], "ratio": 1, "nested": {}, "flag": true}]}"#,
         "'items[0].delivery_id' must be a string"),
        (#"{"items": [{"state": "pending", "attempts": 0, "withheld": [], "ratio": 1, "nested": {}, "flag": true}]}"#,
         "'items[0].delivery_id' is missing"),
        (#"{"items": [{"delivery_id": "d", "state": "pending", "attempts": 1.5, "withheld": [], "ratio": 1, "nested": {}, "flag": true}]}"#,
         "'items[0].attempts' must be a whole number"),
        (#"{"items": [{"delivery_id": "d", "state": "pending", "attempts": 0, "audit_leaf": -1, "withheld": [], "ratio": 1, "nested": {}, "flag": true}]}"#,
         "'items[0].audit_leaf' must be a whole number, not negative"),
        (#"{"items": [{"delivery_id": "d", "state": "pending", "attempts": 0, "withheld": ["a", 2], "ratio": 1, "nested": {}, "flag": true}]}"#,
         "'items[0].withheld[1]' must be a string"),
        (#"{"items": {}}"#, "'items' must be an array"),
        (#"[]"#, "the top level must be an object"),
    ])
    func aWrongMemberIsNamedByItsPath(text: String, expected: String) throws {
        let failure = try #require(throws: JSONValueDecoder.Failure.self) { try JSONValueDecoder().decode(Page.self, from: Array(text.utf8)) }
        #expect(failure.description == expected)
    }

    @Test func whatTheStrictParserRefusesIsRefused() throws {
        let duplicate = #"{"items": [], "items": [], "next": "1"}"#
        let failure = try #require(throws: JSONValueDecoder.Failure.self) { try JSONValueDecoder().decode(Page.self, from: Array(duplicate.utf8)) }
        #expect(failure.description.hasPrefix("not JSON: ") && failure.description.contains("repeats a key"))
        let truncated = try #require(throws: JSONValueDecoder.Failure.self) {
            try JSONValueDecoder().decode(Page.self, from: Array(#"{"items": [{"delivery_id": "secret-value"#.utf8))
        }
        #expect(truncated.description.hasPrefix("not JSON: ") && !truncated.description.contains("secret-value"))
    }
}
