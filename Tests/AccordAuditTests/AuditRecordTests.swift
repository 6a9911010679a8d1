import AccordCore
import AccordAudit
import Foundation
import Testing

/// Leaves: canonical encoding, strict decoding, and keyed subject hashes.
@Suite struct AuditRecordTests {
    static let key = try! SubjectKey(secret: [UInt8](repeating: 0x42, count: 32))

    static func record(_ event: AuditEvent = .messageAccepted) -> AuditRecord {
        AuditRecord(
            event: event, time: Date(timeIntervalSince1970: 1_767_225_600.125), actor: "nz-police",
            messageID: "msg-1", from: "nz-police", to: ["immigration-nz"],
            agreement: AgreementReference(id: "inz-police-investigations", versionDigest: "sha-256:abcd"),
            disclosed: ["subject.name", "subject.passport"], withheld: ["subject.health"], reason: "allowed",
            submissionDigest: "sha-256:00ff", subjects: [key.hash(type: "passport", value: "LA123456")],
            details: ["flow": "1"])
    }

    @Test func leafIsCanonicalAndRoundTrips() throws {
        let leaf = try AuditLeaf(index: 7, record: Self.record())
        let text = String(decoding: leaf.bytes, as: UTF8.self)
        #expect(text.hasPrefix("{\"actor\":\"nz-police\",\"agreement\":{\"id\":\"inz-police-investigations\",\"version_digest\":\"sha-256:abcd\"}"))
        #expect(text.contains("\"index\":7,"))
        #expect(text.contains("\"time\":\"2026-01-01T00:00:00.125Z\""))
        #expect(text.hasSuffix("\"v\":1,\"withheld\":[\"subject.health\"]}"))
        #expect(!text.contains("LA123456"))
        let decoded = try AuditLeaf(bytes: leaf.bytes)
        #expect(decoded == leaf)
        #expect(decoded.record == Self.record())
    }

    @Test func strictDecodingRefusesExtraMembersAndNonCanonicalText() throws {
        let text = String(decoding: try AuditLeaf(index: 1, record: Self.record()).bytes, as: UTF8.self)
        for bad in [text.replacingOccurrences(of: "\"v\":1", with: "\"v\":2"),
                    text.replacingOccurrences(of: "\"v\":1", with: "\"v\":1,\"zz\":\"LA123456\""),
                    text.replacingOccurrences(of: "message.accepted", with: "message.shredded"),
                    text.replacingOccurrences(of: ".125Z", with: ".125+00:00"),
                    text.replacingOccurrences(of: "{\"actor\"", with: "{ \"actor\"")] {
            #expect(throws: AuditError.self, "\(bad)") { try AuditLeaf(bytes: Array(bad.utf8)) }
        }
    }

    @Test func subjectHashesNormaliseAndDependOnKeyAndType() throws {
        let a = Self.key.hash(type: "Passport", value: " la123456 ")
        #expect(a == Self.key.hash(type: "passport", value: "LA123456"))
        #expect(a.type == "passport")
        #expect(a.hmac.count == 64)
        #expect(a != Self.key.hash(type: "visa", value: "LA123456"))
        let other = try SubjectKey(hex: String(repeating: "ab", count: 32) + "\n")
        #expect(a != other.hash(type: "passport", value: "LA123456"))
        #expect(throws: AuditError.self) { try SubjectKey(secret: [1, 2, 3]) }
    }

    @Test func timesKeepMillisecondsExactly() {
        for ms: Int64 in [0, 1, 999, 1_767_225_600_125, 253_402_300_799_999] {
            #expect(AuditTime.parse(AuditTime.format(milliseconds: ms)) == ms)
        }
        #expect(AuditTime.parse("2026-01-01T00:00:00Z") == nil)
        #expect(AuditTime.parse("2026-02-30T00:00:00.000Z") == nil)
    }
}
