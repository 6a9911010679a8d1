import AccordCore
@testable import AccordAudit
import Testing

/// Audit leaves are read only when already canonical and integer-only.
@Suite struct CanonicalTextTests {
    @Test func decodesOnlyCanonicalText() throws {
        let canonical = Array("{\"a\":[1,\"x\"],\"b\":{\"c\":false}}".utf8)
        #expect(try CanonicalText.decode(canonical) == .object(["a": .array([.integer(1), .string("x")]), "b": .object(["c": .bool(false)])]))
        for text in ["{\"b\":1,\"a\":2}", "{ \"a\":1}", "{\"a\":1.0}", "{\"a\":1e3}", "{\"a\":01}", "{\"a\":\"\\u0041\"}",
                     "{\"a\":1,\"a\":1}", "{\"a\":9007199254740992}", "{\"a\":\"\\ud800\"}", "[1,]", "{\"a\":\"\\/\"}"] {
            #expect(throws: AuditError.self, "\(text)") { try CanonicalText.decode(Array(text.utf8)) }
        }
        #expect(throws: AuditError.self) { try CanonicalText.encode(.integer(1 << 53)) }
    }
}
