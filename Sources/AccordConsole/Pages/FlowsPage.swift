import AccordCore
import AccordAudit
import AccordStore
import Foundation
import Hummingbird

/// Counts of deliveries by (from, to, type, agreement) and per day, from `message.delivered`
/// records, counted by the store (`DeliveryFlows`): the page holds the counts, never the
/// leaves, whatever the period. Reading the log for this view is itself recorded as
/// `audit.queried`.
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
            let counted = try await environment.store.deliveryFlows(from: firstDay, days: days)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_NZ_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "d MMM"
            let bars = counted.perDay.enumerated().map { offset, count in
                BarChart.Bar(label: formatter.string(from: firstDay.addingTimeInterval(Double(offset) * 86_400)), value: count)
            }
            let rows = counted.flows.map { flow -> [String: Any] in
                ["from": flow.from, "to": flow.to, "type": flow.type, "agreement": flow.agreement, "count": flow.deliveries,
                 "pickUps": flow.pickUps, "days": flow.days]
            }
            formatter.dateFormat = "yyyy-MM-dd"
            return renderer.page("flows", title: "Flows", data: [
                "dayChoices": Self.dayChoices.map { ["value": $0, "selected": $0 == days] as [String: Any] },
                "since": formatter.string(from: firstDay), "until": formatter.string(from: now), "total": counted.deliveries, "pickUps": counted.pickUps,
                "chart": BarChart(title: "Deliveries per day over the last \(days) days", bars: bars).svg, "flows": rows,
            ], operator: person, current: "/flows")
        }
    }

    static func dayStart(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }
}
