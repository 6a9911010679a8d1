import AccordCore
import AccordAudit
import AccordStore
import ArgumentParser
import Foundation

/// Lists the audit records matching the filters, as a table or as canonical JSON lines.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "query", abstract: "Search the audit log.")

    @OptionGroup var options: AuditOptions
    @OptionGroup var filters: QueryFilters

    @Flag(help: "Print each record's canonical leaf JSON instead of a table.")
    var json = false

    func run() async throws {
        let store = try await options.openStore()
        // A page at a time: a query over years of log prints as it reads.
        var pages = AuditQueryPages(store, query: try filters.query())
        var count = 0
        while let page = try await pages.next() {
            count += page.count
            for leaf in page { show(leaf) }
        }
        if !json { print("\(count) record(s)") }
    }

    private func show(_ leaf: AuditLeaf) {
        if json {
            print(String(decoding: leaf.bytes, as: UTF8.self))
            return
        }
        let record = leaf.record
        var parts = ["#\(leaf.index)", AuditTime.format(milliseconds: record.timeMilliseconds), record.event.rawValue, "actor=\(record.actor)"]
        if let message = record.messageID { parts.append("message=\(message)") }
        if let from = record.from { parts.append("from=\(from)") }
        if !record.to.isEmpty { parts.append("to=\(record.to.joined(separator: ","))") }
        if let agreement = record.agreement { parts.append("agreement=\(agreement.id)") }
        if let reason = record.reason { parts.append("reason=\(reason)") }
        if !record.disclosed.isEmpty { parts.append("disclosed=\(record.disclosed.joined(separator: ","))") }
        if !record.withheld.isEmpty { parts.append("withheld=\(record.withheld.joined(separator: ","))") }
        print(parts.joined(separator: "  "))
    }
}
