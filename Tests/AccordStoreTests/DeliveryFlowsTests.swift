import AccordAudit
import AccordCore
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The flows view counted by each database equals the same counts made in Swift over the
/// leaves read one by one through `query`: repeated pick-ups, leaves without a delivery id,
/// several or no recipients, missing sender, type or agreement, other events, and times on
/// both edges of the window.
@Suite struct DeliveryFlowsTests {
    static let firstDay = Date(timeIntervalSince1970: 1_790_035_200)  // a UTC midnight
    static let days = 30

    @Test(arguments: StoreBackend.available) func countedByTheDatabaseAsByReadingEveryLeaf(backend: StoreBackend) async throws {
        let run = RandomRun("delivery flows differential (\(backend.rawValue))", cases: 2_000, seed: 0xF10_5)
        var random = run.generator
        let records = Self.records(run.cases, &random)
        try await backend.withStore(StoreFixture.configuration(every: 100_000)) { store in
            try await store.whileRunning {
                for batch in stride(from: 0, to: records.count, by: 500) {
                    _ = try await store.append(Array(records[batch ..< min(batch + 500, records.count)]))
                }
            }
            for days in [Self.days, 1, 7] {
                let counted = try await store.deliveryFlows(from: Self.firstDay, days: days)
                let expected = Self.reference(try await store.query(AuditQuery(since: Self.firstDay, events: [.messageDelivered])),
                                              firstDay: Self.firstDay, days: days)
                #expect(counted.deliveries > 0 && counted.pickUps > counted.deliveries, "\(run): the seed exercises nothing")
                #expect(counted.deliveries == expected.deliveries && counted.pickUps == expected.pickUps, "\(run), \(days) days")
                #expect(counted.perDay == expected.perDay, "\(run), \(days) days")
                let differing = Set(counted.flows).symmetricDifference(expected.flows)
                #expect(differing.isEmpty, "\(run), \(days) days: \(differing.count) flows differ, e.g. \(Array(differing.prefix(3)))")
                let inOrder = counted.flows == expected.flows
                #expect(inOrder, "\(run), \(days) days: the flows are not in the view's order")
            }
        }
    }

    @Test(arguments: StoreBackend.available) func anEmptyPeriodCountsNothing(backend: StoreBackend) async throws {
        try await backend.withStore(StoreFixture.configuration()) { store in
            let counted = try await store.deliveryFlows(from: Self.firstDay, days: 7)
            #expect(counted == DeliveryFlows(flows: [], perDay: Array(repeating: 0, count: 7), deliveries: 0, pickUps: 0))
        }
    }

    /// Leaves around and inside the window, with deliveries picked up more than once.
    static func records(_ count: Int, _ random: inout SplitMix64) -> [AuditRecord] {
        let agencies: [AgencyID] = ["nz.police", "nz.immigration", "nz.customs", "au.abf"]
        let window = Int64(days) * 86_400_000
        let start = AuditTime.milliseconds(firstDay)
        let edges: [Int64] = [start - 1, start, start + 1, start + window - 1, start + window, start + 86_400_000 - 1, start + 86_400_000]
        var records: [AuditRecord] = []
        var deliveries: [DeliveryID] = []
        for index in 0 ..< count {
            let roll = random.next() % 100
            let millisecond = roll < 10
                ? edges[Int(random.next() % UInt64(edges.count))]
                : start - 5 * 86_400_000 + Int64(random.next() % UInt64(window + 10 * 86_400_000))
            let time = AuditTime.date(milliseconds: millisecond)
            let from = agencies[Int(random.next() % 4)]
            var to = [agencies[Int(random.next() % 4)]]
            if random.next() % 10 == 0 { to.append(agencies[Int(random.next() % 4)]) }
            if random.next() % 20 == 0 { to = [] }
            guard random.next() % 6 != 0 else {
                // Other events in the same period are not pick-ups.
                records.append(AuditRecord(event: [.messageAccepted, .messageAcknowledged, .messageHeld][Int(random.next() % 3)], time: time,
                                           actor: from.rawValue, messageID: "m\(index)", deliveryID: "d\(index)", from: from, to: to,
                                           details: ["type": "referral"]))
                continue
            }
            // A pick-up of a delivery picked up before, of a new one, or of one without an id.
            let delivery: DeliveryID?
            switch random.next() % 10 {
            case 0: delivery = nil
            case 1 ... 4 where !deliveries.isEmpty: delivery = deliveries[Int(random.next() % UInt64(deliveries.count))]
            default:
                delivery = "d-\(index)"
                deliveries.append(delivery!)
            }
            let type = ["referral", "case-update", "indicator-report"][Int(random.next() % 3)]
            records.append(AuditRecord(
                event: .messageDelivered, time: time, actor: to.first?.rawValue ?? "nz.police", messageID: "m\(index)", deliveryID: delivery,
                from: random.next() % 15 == 0 ? nil : from, to: to,
                agreement: random.next() % 15 == 0 ? nil : AgreementReference(id: "flow-\(from)-\(type)", versionDigest: "sha-256:01"),
                details: random.next() % 15 == 0 ? ["attempt": "1"] : ["attempt": "1", "type": type, "purpose": "law-enforcement"]))
        }
        return records
    }

    /// The flows view counted in Swift over every leaf, as the console counted it before the
    /// database did: the yardstick the stores are held to.
    static func reference(_ leaves: [AuditLeaf], firstDay: Date, days: Int) -> DeliveryFlows {
        struct Key: Hashable { let from, to, type, agreement: String }
        var byKey: [Key: (deliveries: Int, pickUps: Int, days: Set<Int>)] = [:]
        var perDay = [Int](repeating: 0, count: days)
        var seen = Set<DeliveryID>()
        var deliveries = 0
        var pickUps = 0
        for leaf in leaves.sorted(by: { $0.index < $1.index }) {
            let record = leaf.record
            let day = Int(record.time.timeIntervalSince(firstDay) / 86_400)
            guard day >= 0, day < days else { continue }
            let first = record.deliveryID.map { seen.insert($0).inserted } ?? true
            pickUps += 1
            if first {
                deliveries += 1
                perDay[day] += 1
            }
            for recipient in record.to.isEmpty ? ["—"] : record.to.map(\.rawValue) {
                let key = Key(from: record.from?.rawValue ?? record.actor, to: recipient, type: record.details["type"] ?? "—",
                              agreement: record.agreement?.id.rawValue ?? "—")
                byKey[key, default: (0, 0, [])].pickUps += 1
                if first {
                    byKey[key, default: (0, 0, [])].deliveries += 1
                    byKey[key, default: (0, 0, [])].days.insert(day)
                }
            }
        }
        let flows = byKey.map { key, value in
            DeliveryFlows.Flow(from: key.from, to: key.to, type: key.type, agreement: key.agreement,
                               deliveries: value.deliveries, pickUps: value.pickUps, days: value.days.count)
        }
        return DeliveryFlows(flows: flows.sorted(by: DeliveryFlows.precedes), perDay: perDay, deliveries: deliveries, pickUps: pickUps)
    }
}
