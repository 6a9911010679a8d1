import AccordCore
@testable import AccordAudit
import Foundation
import Testing

/// The direct leaf encoder and the arithmetic time spelling agree byte for byte with the
/// general canonical encoder and the calendar, over records with and without each member.
@Suite struct LeafEncoderTests {
    static func records() -> [AuditRecord] {
        let key = try! SubjectKey(secret: [UInt8](repeating: 7, count: 32))
        var random = SystemRandomNumberGenerator()
        var records: [AuditRecord] = [AuditRecord(event: .gatewayStarted, time: Date(timeIntervalSince1970: 0), actor: "gateway")]
        let texts = ["nz-police", "quote\"back\\slash", "ends\\", "\\\"", "index", ",\"index\":5", "tab\tnew\nline\u{1}", "é ünïcödé 𝄞", "", "z"]
        for n in 0 ..< 200 {
            func pick() -> String { texts.randomElement(using: &random)! }
            func maybe() -> String? { Bool.random(using: &random) ? pick() : nil }
            func some() -> [String] { (0 ..< Int.random(in: 0 ... 3, using: &random)).map { _ in pick() } }
            records.append(AuditRecord(
                event: AuditEvent.allCases.randomElement(using: &random)!,
                time: Date(timeIntervalSince1970: Double(Int64.random(in: 0 ... 253_402_300_799_999, using: &random)) / 1000),
                actor: pick(), messageID: maybe().map(MessageID.init(rawValue:)), deliveryID: maybe().map(DeliveryID.init(rawValue:)),
                from: maybe().map(AgencyID.init(rawValue:)), to: some().map(AgencyID.init(rawValue:)),
                agreement: Bool.random(using: &random) ? AgreementReference(id: AgreementID(pick()), versionDigest: pick()) : nil,
                disclosed: some(), withheld: some(), reason: maybe(), submissionDigest: maybe(),
                subjects: (0 ..< n % 3).map { key.hash(type: "passport", value: "P\($0)") },
                details: Dictionary(some().map { ($0, pick()) }, uniquingKeysWith: { a, _ in a })))
        }
        return records
    }

    @Test func directEncodingEqualsTheGeneralEncoder() throws {
        for (position, record) in Self.records().enumerated() {
            let index = UInt64(position) * 7_919
            let expected = try CanonicalJSON.encode(AuditLeaf.json(index: index, record: record))
            #expect(try LeafEncoder.encode(index: index, record: record) == expected)
        }
    }

    @Test func indexScannerFindsTheTopLevelIndexPastEscapesAndNestedKeys() throws {
        var records = Self.records()
        records[0].details = ["index": "12", "a\\": "\\\"index\":3"]
        for (position, record) in records.enumerated() {
            let index = UInt64(position) * 104_729
            #expect(LeafIndexScanner.index(in: try AuditLeaf(index: index, record: record).bytes) == Int64(index))
        }
    }

    @Test func arithmeticTimesEqualTheCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SystemRandomNumberGenerator()
        let samples: [Int64] = [0, 999, 951_782_400_000, 4_107_542_400_000, 253_402_300_799_999]
            + (0 ..< 2_000).map { _ in Int64.random(in: AuditTime.fastRange, using: &random) }
        for ms in samples {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(ms / 1000)))
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.year!, parts.month!, parts.day!,
                                  parts.hour!, parts.minute!, parts.second!, Int(ms % 1000))
            #expect(AuditTime.format(milliseconds: ms) == expected)
        }
    }

    @Test func inPlaceVerificationMatchesTheArrayForm() throws {
        let hasher = TreeHasher()
        let leaf = try AuditLeaf(index: 0, record: Self.records()[1])
        var head = TreeHead()
        for n in 0 ..< 37 { head.append(leafHash: hasher.leafHash(Array("leaf \(n)".utf8)), using: hasher) }
        let fast = leaf.bytes.withUnsafeBytes { hasher.leafHash($0) }
        #expect(fast.bytes == hasher.leafHash(leaf.bytes))
        #expect(try TreeHead(size: head.size, edge: head.edge) == head)
        #expect(try MerkleTree(leafHashes: (0 ..< 37).map { hasher.leafHash(Array("leaf \($0)".utf8)) }).root(using: hasher) == head.root(using: hasher))
    }
}
