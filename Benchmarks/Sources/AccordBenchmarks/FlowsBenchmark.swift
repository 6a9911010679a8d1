import AccordAudit
import AccordCore
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// `AccordBenchmarks flows`: the console's flows view over a year of pick-ups, counted by SQLite
/// (`deliveryFlows`) and, for comparison, by reading every leaf and counting in Swift as the
/// view did before: time and the growth of the process's peak resident memory for each.
struct FlowsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flows", abstract: "The console's flows view over a year of pick-ups.")

    @Option(help: "message.delivered leaves, spread over 365 days.")
    var leaves = 300_000

    func run() async throws {
        let origin = "bench.accord/audit"
        let signer = try NoteSigner(name: origin, privateKey: PrivateKey.generate(.edDSA))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let store = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: signer, checkpointEveryLeaves: 1_000_000))
        let firstDay = Date(timeIntervalSince1970: 1_767_225_600)
        let agencies: [AgencyID] = ["nz.police", "nz.immigration", "nz.customs", "nz.oranga-tamariki", "nz.mbie-labour"]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            var random = SystemRandomNumberGenerator()
            for batch in stride(from: 0, to: leaves, by: 2_000) {
                let records = (batch ..< min(batch + 2_000, leaves)).map { n in
                    let from = agencies[n % agencies.count], to = agencies[(n / 7) % agencies.count]
                    return AuditRecord(
                        event: .messageDelivered, time: firstDay.addingTimeInterval(Double(UInt64.random(in: 0 ..< 365 * 86_400, using: &random))),
                        actor: to.rawValue, messageID: "m-\(n / 4 * 3)", deliveryID: "d-\(n * 3 / 4)", from: from, to: [to],
                        agreement: AgreementReference(id: "agreement-\(n % 9)", versionDigest: "sha-256:01"),
                        details: ["attempt": "1", "type": ["referral", "case-update", "indicator-report"][n % 3], "purpose": "law-enforcement"])
                }
                _ = try await store.append(records)
            }
            group.cancelAll()
        }
        let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: nil))
        let clock = ContinuousClock()
        let base = Self.peakResidentBytes()
        var counted: DeliveryFlows?
        let inDatabase = try await clock.measure { counted = try await reader.deliveryFlows(from: firstDay, days: 365) }
        let afterDatabase = Self.peakResidentBytes()
        var swiftDeliveries = 0
        let inSwift = try await clock.measure {
            var seen = Set<DeliveryID>()
            for leaf in try await reader.query(AuditQuery(since: firstDay, events: [.messageDelivered])) {
                if let id = leaf.record.deliveryID, !seen.insert(id).inserted { continue }
                swiftDeliveries += 1
            }
        }
        let afterSwift = Self.peakResidentBytes()
        guard let counted, counted.deliveries == swiftDeliveries else {
            throw ValidationError("the two counts differ: \(counted?.deliveries ?? -1) and \(swiftDeliveries)")
        }
        print(String(format: "flows, %d pick-ups of %d deliveries over 365 days, %d flows:", counted.pickUps, counted.deliveries, counted.flows.count))
        print(String(format: "  counted by SQLite:             %6.2f s, peak resident memory +%6.1f MB", inDatabase.seconds,
                     Double(afterDatabase - base) / 1_048_576))
        print(String(format: "  every leaf read, counted in Swift: %6.2f s, peak resident memory +%6.1f MB", inSwift.seconds,
                     Double(afterSwift - afterDatabase) / 1_048_576))
    }

    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
