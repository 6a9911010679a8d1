import AccordCore
import AccordAudit
import Foundation
import Testing

@testable import AccordStore

/// The SQLite store's grouping of past decisions (what `accord agreements impact` replays)
/// agrees with grouping the same leaves read one by one through `query`.
@Suite struct RecordedDecisionsTests {
    struct Folded: Equatable {
        var count = 0
        var first = Date.distantFuture
        var last = Date.distantPast
    }

    static func fold(_ groups: [RecordedDecisionGroup]) -> [RecordedDecision: Folded] {
        var folded: [RecordedDecision: Folded] = [:]
        for group in groups {
            folded[group.decision, default: Folded()].count += group.count
            folded[group.decision]!.first = min(folded[group.decision]!.first, group.first)
            folded[group.decision]!.last = max(folded[group.decision]!.last, group.last)
        }
        return folded
    }

    @Test func groupedByTheStoreAsByReadingEveryLeaf() async throws {
        let seed = UInt64.random(in: 1 ... .max)
        var random = SplitMix(seed: seed)
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let agencies = ["nz.police", "nz.immigration", "nz.customs", "au.abf"]
        let paths = ["subject.family_name", "subject.given_names", "subject.passport_number", "subject.address", "informant.name"]
        var records: [AuditRecord] = []
        for index in 0 ..< 3_000 {
            let from = agencies[Int(random.next() % 4)], to = agencies[Int(random.next() % 4)]
            let time = now.addingTimeInterval(-Double(random.next() % 100 * 86_400_000 + random.next() % 1000) / 1000)
            let disclosed = paths.filter { _ in random.next() % 3 == 0 }
            let withheld = paths.filter { !disclosed.contains($0) && random.next() % 2 == 0 }
            let details = ["type": ["referral", "case-update"][Int(random.next() % 2)], "purpose": "law-enforcement",
                           "classification": "IN-CONFIDENCE"]
            switch random.next() % 5 {
            case 0:
                records.append(AuditRecord(event: .messageDenied, time: time, actor: from, messageID: "m\(index)", from: AgencyID(from), to: [AgencyID(to)],
                                           reason: "no-agreement", details: details.merging(["stage": "policy"]) { $1 }))
            case 1:
                // Refused before the policy: not a decision to replay.
                records.append(AuditRecord(event: .messageDenied, time: time, actor: from, messageID: "m\(index)", from: AgencyID(from), to: [AgencyID(to)],
                                           reason: "bad-signature", details: ["stage": "verify"]))
            case 2:
                records.append(AuditRecord(event: .messageDelivered, time: time, actor: to, messageID: "m\(index)", from: AgencyID(from), to: [AgencyID(to)]))
            default:
                records.append(AuditRecord(event: .messageAccepted, time: time, actor: from, messageID: "m\(index)",
                                           deliveryID: "d\(index)", from: AgencyID(from), to: [AgencyID(to)],
                                           agreement: AgreementReference(id: "flow-\(from)-\(to)", versionDigest: "sha-256:01"),
                                           disclosed: disclosed, withheld: withheld, details: details))
            }
        }
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration())
        try await store.whileRunning {
            for batch in stride(from: 0, to: records.count, by: 500) {
                _ = try await store.append(Array(records[batch ..< min(batch + 500, records.count)]))
            }
        }
        let since = now.addingTimeInterval(-50 * 86_400)
        var expected = DecisionGrouping()
        for leaf in try await store.query(AuditQuery(since: since)) {
            expected.add(leaf.record)
        }
        let grouped = try await store.recordedDecisions(since: since)
        #expect(!expected.groups.isEmpty)
        #expect(Self.fold(grouped) == Self.fold(expected.groups), "seed \(seed)")
        #expect(grouped.reduce(0) { $0 + $1.count } == expected.groups.reduce(0) { $0 + $1.count }, "seed \(seed)")
    }
}

/// A small seeded generator, so that a failure names the seed that reproduces it.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
