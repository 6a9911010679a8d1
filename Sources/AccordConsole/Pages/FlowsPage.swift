import AccordCore
import AccordAudit
import AccordStore
import Foundation
import Hummingbird

/// Counts of deliveries by (from, to, type, agreement) and per day, from `message.delivered`
/// records. The gateway writes one such record for every pick-up, and an agency may pull a
/// delivery more than once before acknowledging it, so a delivery counts once (on the day of
/// its first pick-up in the period) and its pick-ups are counted separately. Reading the log
/// for this view is itself recorded as `audit.queried`.
extension Console {
    static let dayChoices = [7, 30, 90, 365]

    func flows(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewFlows, request, context) { person, form in
            let days = form["days"].flatMap(Int.init).flatMap { Self.dayChoices.contains($0) ? $0 : nil } ?? 30
            let now = environment.now()
            let firstDay = Self.dayStart(now).addingTimeInterval(-Double(days - 1) * 86_400)
            _ = try await environment.store.append([AuditRecord(
                event: .auditQueried, time: now, actor: person.actor,
                details: ["view": "flows", "since": AuditTime.format(milliseconds: AuditTime.milliseconds(firstDay)), "events": "message.delivered"]
            )])
            let leaves = try await environment.store.query(AuditQuery(since: firstDay, events: [.messageDelivered]))

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
                // A record without a delivery id cannot be matched to others: it counts as one.
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
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_NZ_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "d MMM"
            let bars = perDay.enumerated().map { offset, count in
                BarChart.Bar(label: formatter.string(from: firstDay.addingTimeInterval(Double(offset) * 86_400)), value: count)
            }
            let rows = byKey.sorted { ($0.value.deliveries, $1.key.from) > ($1.value.deliveries, $0.key.from) }.map { key, value -> [String: Any] in
                ["from": key.from, "to": key.to, "type": key.type, "agreement": key.agreement, "count": value.deliveries,
                 "pickUps": value.pickUps, "days": value.days.count]
            }
            formatter.dateFormat = "yyyy-MM-dd"
            return renderer.page("flows", title: "Flows", data: [
                "dayChoices": Self.dayChoices.map { ["value": $0, "selected": $0 == days] as [String: Any] },
                "since": formatter.string(from: firstDay), "until": formatter.string(from: now), "total": deliveries, "pickUps": pickUps,
                "chart": BarChart(title: "Deliveries per day over the last \(days) days", bars: bars).svg, "flows": rows,
            ], operator: person, current: "/flows")
        }
    }

    static func dayStart(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }
}
