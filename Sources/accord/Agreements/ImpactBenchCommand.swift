import AccordCore
import AccordAudit
import AccordConsole
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import AccordStore
import ArgumentParser
import Foundation

/// Hidden: the benchmark behind docs/performance.md's impact and property figures. Fills a
/// database with past decisions made by the shipped agreements (once; a database that has
/// them is reused), then times the impact of a draft that suspends one agreement over all of
/// them, and the proof of the shipped properties.
struct ImpactBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact-bench", abstract: "Time impact analysis and property proofs (benchmark).", shouldDisplay: false)

    @Option(help: "The database to fill (if it holds fewer decisions) and replay.")
    var db: String

    @Option(help: "Past decisions to replay.")
    var decisions = 1_000_000

    @Option(help: "The agreements directory whose decisions are generated and whose properties are proved.")
    var agreements = "Agreements"

    @Option(help: "The agreement the draft suspends.")
    var suspend = "customs-abf-s318"

    @Option(help: "Seed of the generated traffic.")
    var seed: UInt64 = 19

    func run() async throws {
        let day = CalendarDate(Date())
        let sources = try AgreementSources.read(directory: URL(fileURLWithPath: agreements), hashing: SHA256.Hasher.self)
        let set = try AgreementSet.load(sources, today: day)
        try await fill(set)

        var draftSources = sources
        guard let index = draftSources.agreements.firstIndex(where: { set.agreement(id: AgreementID(suspend))?.file == $0.path }) else {
            throw ValidationError("no agreement '\(suspend)' in \(agreements)")
        }
        let text = String(decoding: draftSources.agreements[index].bytes, as: UTF8.self)
        draftSources.agreements[index] = .init(path: draftSources.agreements[index].path,
                                               text: text.replacingOccurrences(of: "status: active", with: "status: suspended"))
        let draft = CompiledPolicy(try AgreementSet.load(draftSources, today: day))

        let reader = try SQLiteStore.open(path: db, configuration: StoreConfiguration(origin: "impact", signer: nil))
        let clock = ContinuousClock()
        let started = clock.now
        let past = try await PastTraffic.decisions(in: reader, since: Date().addingTimeInterval(-91 * 86_400))
        let read = clock.now - started
        let report = ImpactAnalysis.replay(past, against: draft, on: day)
        let total = clock.now - started
        print("impact: \(report.decisions) decisions (\(past.count) distinct) read and grouped in \(Self.ms(read)) ms, "
              + "replayed in \(Self.ms(total - read)) ms, total \(Self.ms(total)) ms; "
              + "\(report.closed.count) flows closed, \(report.newlyWithheld.count) claims newly withheld")

        let policy = CompiledPolicy(set)
        var runs: [Duration] = []
        var results: [PropertyResult] = []
        for _ in 0..<101 {
            let start = clock.now
            results = PropertyCheck(sources.properties, over: policy).results
            runs.append(clock.now - start)
        }
        runs.sort()
        print("properties: \(results.count) proved (\(results.filter(\.holds).count) hold) over \(policy.keys.count) flow keys: "
              + "median \(Self.ms(runs[50])) ms, max \(Self.ms(runs[100])) ms over 101 runs")
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Appends decisions until the database holds `decisions` of them: random flows of the set,
    /// each message offering a random subset of its schema's claim paths, at random times over
    /// the last 90 days; one in ten refused (no agreement between a random pair of agencies).
    private func fill(_ set: AgreementSet) async throws {
        let probe = try SQLiteStore.open(path: db, configuration: StoreConfiguration(origin: "impact", signer: nil))
        let have = try await probe.recordedDecisions(since: Date().addingTimeInterval(-91 * 86_400)).reduce(0) { $0 + $1.count }
        guard have < decisions else { return }
        let store = try SQLiteStore.open(path: db, configuration: StoreConfiguration(
            origin: "impact", signer: try NoteSigner(name: "impact", privateKey: PrivateKey.generate(.edDSA)), checkpointEveryLeaves: 100_000))
        let policy = CompiledPolicy(set)
        let keys = policy.keys.sorted { $0.description < $1.description }
        let agencies = set.agencies.keys.sorted()
        var rng = BenchRandom(seed: seed)
        let now = Date()
        let needed = decisions - have
        print("filling \(db) with \(needed) decisions")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            var written = 0
            while written < needed {
                var batch: [AuditRecord] = []
                for _ in 0..<min(2_000, needed - written) {
                    let time = now.addingTimeInterval(-Double(rng.next() % (90 * 86_400_000)) / 1000)
                    if rng.next() % 10 == 0 {
                        let from = agencies[Int(rng.next() % UInt64(agencies.count))]
                        let to = agencies[Int(rng.next() % UInt64(agencies.count))]
                        batch.append(AuditRecord(event: .messageDenied, time: time, actor: from.rawValue, messageID: MessageID("m\(written + batch.count)"),
                                                 from: from, to: [to], reason: DenialCode.noAgreement.rawValue,
                                                 details: ["stage": "policy", "type": "referral", "purpose": "labour-standards"]))
                        continue
                    }
                    let key = keys[Int(rng.next() % UInt64(keys.count))]
                    let paths = (set.schemas[key.type]?.claims ?? []).map(\.path).filter { _ in rng.next() % 2 == 0 }
                    let message = RoutingClaims(issuer: key.from, type: key.type, recipients: [key.to], purpose: key.purpose,
                                                classification: Classification.unclassified.rawValue)
                    guard case .deliver(let delivery) = policy.evaluate(message, claimPaths: paths, for: key.to, on: CalendarDate(time)) else { continue }
                    batch.append(AuditRecord(
                        event: .messageAccepted, time: time, actor: key.from.rawValue, messageID: MessageID("m\(written + batch.count)"),
                        deliveryID: DeliveryID("d\(written + batch.count)"), from: key.from, to: [key.to],
                        agreement: AgreementReference(id: delivery.agreementID, versionDigest: delivery.agreementDigest),
                        disclosed: delivery.disclosed, withheld: delivery.withheldPaths,
                        details: ["type": key.type, "purpose": key.purpose, "classification": Classification.unclassified.rawValue]))
                }
                _ = try await store.append(batch)
                written += batch.count
            }
            group.cancelAll()
        }
    }
}

/// SplitMix64, so that a run's traffic is reproducible from its seed.
struct BenchRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
        z = (z ^ (z >> 27)) &* 0x94D4_9BB4_1331_11EB
        return z ^ (z >> 31)
    }
}
