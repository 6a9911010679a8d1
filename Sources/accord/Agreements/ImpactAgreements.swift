import AccordCore
import AccordConsole
import AccordPolicy
import AccordStore
import ArgumentParser
import Foundation

/// `accord agreements impact DRAFT_DIR`: replays the decisions recorded in the audit log
/// against a draft set and reports what would have been different. Exits 0 whenever it ran.
struct ImpactAgreements: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact",
        abstract: "Replay past decisions from the audit log against a draft set: flows opened and closed, claims newly disclosed or withheld."
    )

    @Argument(help: "The draft agreements directory.")
    var draft: String

    @Option(help: "The gateway database (read only; a running gateway may be writing it).")
    var db = "var/accord.sqlite"

    @Option(help: "Replay the decisions of the last DAYS days.")
    var since = 90

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var options: AgreementDateOption

    func run() async throws {
        guard since > 0 else { throw ValidationError("--since takes a number of days above 0") }
        let day = try options.day()
        let set = try AgreementsIO.load(draft, on: day)
        let store = try await DatabaseLocation(db).openForReading(origin: "impact")
        let window = Date().addingTimeInterval(-Double(since) * 86_400)
        let report = ImpactAnalysis.replay(try await PastTraffic.decisions(in: store, since: window), against: CompiledPolicy(set), on: day)
        if json {
            print(try CanonicalJSON.string(ImpactText.json(report)))
        } else {
            for line in ImpactText.lines(report, draft: draft, days: since) { print(line) }
        }
    }
}

/// The impact report as text and as JSON.
enum ImpactText {
    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    static func lines(_ report: ImpactReport, draft: String, days: Int) -> [String] {
        var out = ["replayed \(report.decisions) past decision(s) of the last \(days) days against \(draft), decided as on \(report.day)"]
        if let first = report.first, let last = report.last { out.append("decisions from \(time(first)) to \(time(last))") }
        func tally(_ t: ImpactReport.Tally) -> String { "\(t.messages) message(s), first \(time(t.first)), last \(time(t.last))" }
        out.append("flows closed: \(report.closed.count)")
        for change in report.closed {
            out.append("  \(change.key): \(tally(change.tally)); delivered under \(change.agreement), now refused (\(change.reason))")
        }
        out.append("flows opened: \(report.opened.count)")
        for change in report.opened {
            out.append("  \(change.key): \(tally(change.tally)); refused (\(change.reason)), now delivered under \(change.agreement)")
        }
        out.append("claims newly withheld: \(report.newlyWithheld.count)")
        for change in report.newlyWithheld { out.append("  \(change.key): \(change.path): \(tally(change.tally)); under \(change.agreement)") }
        out.append("claims newly disclosed: \(report.newlyDisclosed.count)")
        for change in report.newlyDisclosed { out.append("  \(change.key): \(change.path): \(tally(change.tally)); under \(change.agreement)") }
        if report.refusalsWithoutClassification > 0 {
            out.append("note: \(report.refusalsWithoutClassification) refusal(s) were replayed at UNCLASSIFIED: refusals do not record their classification")
        }
        if report.notReplayed > 0 {
            out.append("note: \(report.notReplayed) refusal(s) for their classification were not replayed: refusals do not record it")
        }
        if report.isEmpty { out.append("no difference: the draft decides every past message as the gateway did") }
        return out
    }

    static func json(_ report: ImpactReport) -> JSONValue {
        func tally(_ t: ImpactReport.Tally) -> [String: JSONValue] {
            ["messages": .integer(t.messages), "first": .string(time(t.first)), "last": .string(time(t.last))]
        }
        func flow(_ key: FlowKey, _ t: ImpactReport.Tally) -> [String: JSONValue] {
            ["from": .string(key.from.rawValue), "to": .string(key.to.rawValue), "type": .string(key.type), "purpose": .string(key.purpose)]
                .merging(tally(t)) { a, _ in a }
        }
        func flows(_ changes: [ImpactReport.FlowChange]) -> JSONValue {
            .array(changes.map { .object(flow($0.key, $0.tally).merging(["agreement": .string($0.agreement.rawValue), "reason": .string($0.reason)]) { a, _ in a }) })
        }
        func claims(_ changes: [ImpactReport.ClaimChange]) -> JSONValue {
            .array(changes.map { .object(flow($0.key, $0.tally).merging(["agreement": .string($0.agreement.rawValue), "path": .string($0.path)]) { a, _ in a }) })
        }
        var out: [String: JSONValue] = [
            "decisions": .integer(report.decisions), "day": .string(report.day.description),
            "flows_opened": flows(report.opened), "flows_closed": flows(report.closed),
            "claims_newly_disclosed": claims(report.newlyDisclosed), "claims_newly_withheld": claims(report.newlyWithheld),
            "refusals_without_classification": .integer(report.refusalsWithoutClassification), "not_replayed": .integer(report.notReplayed),
        ]
        if let first = report.first { out["first"] = .string(time(first)) }
        if let last = report.last { out["last"] = .string(time(last)) }
        return .object(out)
    }
}
