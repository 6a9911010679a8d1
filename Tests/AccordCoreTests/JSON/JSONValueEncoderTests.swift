import AccordCore
import Foundation
import Testing

/// `JSONValueEncoder` writes what Foundation's `JSONEncoder` writes, in canonical form: the
/// same members and values, with `nil` optionals left out, for the shapes API responses have.
@Suite struct JSONValueEncoderTests {
    struct Item: Codable, Equatable {
        enum State: String, Codable { case pending, delivered }
        let deliveryID: String
        let state: State
        let attempts: Int
        let auditLeaf: UInt64?
        let withheld: [String]
        let ratio: Double
        let nested: [String: [Int]]
        let flag: Bool

        enum CodingKeys: String, CodingKey {
            case state, attempts, withheld, ratio, nested, flag
            case deliveryID = "delivery_id"
            case auditLeaf = "audit_leaf"
        }
    }

    struct Page: Codable, Equatable {
        let items: [Item]
        let next: String?
    }

    static func foundation(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try CanonicalJSON.encode(JSONParser.parse(Array(try encoder.encode(value))))
    }

    @Test func encodesAsFoundationDoesInCanonicalForm() throws {
        let page = Page(items: [
            Item(deliveryID: "d-1/\"é\"\n", state: .delivered, attempts: 2, auditLeaf: 41, withheld: ["informant", "health.concerns"],
                 ratio: 1.5, nested: ["b": [3, -1], "a": []], flag: true),
            Item(deliveryID: "d-2", state: .pending, attempts: 0, auditLeaf: nil, withheld: [], ratio: 0.1, nested: [:], flag: false),
        ], next: nil)
        let ours = try JSONValueEncoder().canonicalBytes(page)
        #expect(ours == (try Self.foundation(page)))
        let text = String(decoding: ours, as: UTF8.self)
        #expect(!text.contains("audit_leaf\":null") && !text.contains("\"next\""), "nil optionals are left out")
        #expect(try JSONDecoder().decode(Page.self, from: Data(ours)) == page, "what it writes reads back")
    }

    @Test func aNumberJSONCannotHoldIsRefusedWithItsPath() {
        struct Reading: Encodable { let age: Double }
        let failure = #expect(throws: JSONValueEncoder.Failure.self) { try JSONValueEncoder().encode(Reading(age: .infinity)) }
        #expect(failure?.description.hasPrefix("age:") == true)
    }
}
