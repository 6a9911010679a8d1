import AccordAudit
import AccordServer
import ArgumentParser
import Foundation

/// `accord audit monitor`: follows a gateway's log over its tiles and alarms (exit code 1, a
/// log line, a metric) on a fork, a rollback, a missing cosignature or a leaf it cannot
/// verify (docs/audit.md, "Running a monitor").
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor", abstract: "Follow the audit log over tiles and alarm when it is forked, rolled back or not cosigned.")

    @Option(help: "The log's base URL, ending in /v1/log (e.g. http://gateway:8445/v1/log on the operations listener).")
    var url: String

    @Option(name: .customLong("verifier-key"), help: "The log's verifier key (name+keyid+base64).")
    var verifierKey: String

    @Option(name: .customLong("witness-key"), help: "A witness's cosignature verifier key; repeat for several. Each must cosign.")
    var witnessKeys: [String] = []

    @Option(help: "Cosignatures each checkpoint needs (default: one from every --witness-key).")
    var cosignatures: Int?

    @Option(help: "Where this monitor keeps what it has verified; also what other monitors compare with.")
    var state = "var/monitor.json"

    @Option(name: .customLong("compare-with"), help: "Another monitor's state file to compare checkpoints with; repeatable.")
    var compareWith: [String] = []

    @Option(name: .customLong("metrics-file"), help: "Write Prometheus text-format metrics here after each round.")
    var metricsFile: String?

    @Flag(help: "Also fetch entry bundles and check every new leaf against its hash (needs entry access).")
    var entries = false

    @Flag(help: "Check once and exit (0 clean, 1 alarm) instead of following the log.")
    var once = false

    @Option(help: "Seconds between rounds when following.")
    var interval = 10

    @Option(name: .customLong("as"), help: "Read the agency API over mutual TLS as this agency (with --pki).")
    var agency: String?

    @Option(help: "The development PKI directory holding the agency's TLS certificate and the CA, with --as.")
    var pki = "Certificates/dev"

    func run() async throws {
        let verifier = try NoteVerifier(verifierKey: verifierKey)
        let witnesses = try witnessKeys.map { try CosignatureVerifier(verifierKey: $0) }
        let monitor: LogMonitor
        if let agency {
            let fetcher = AgencyLogFetcher(agency: agency, pki: URL(fileURLWithPath: pki))
            monitor = LogMonitor(baseURL: url, verifier: verifier, witnesses: witnesses, cosignaturesRequired: cosignatures ?? witnessKeys.count,
                                 checkEntries: entries, fetch: { try await fetcher.get($0) })
        } else {
            monitor = LogMonitor(baseURL: url, verifier: verifier, witnesses: witnesses,
                                 cosignaturesRequired: cosignatures ?? witnessKeys.count, checkEntries: entries)
        }
        let stateURL = URL(fileURLWithPath: state)
        var alarmsSeen: [LogMonitor.Alarm.Kind: Int] = [:]
        while true {
            let before = try MonitorState.load(stateURL)
            var (after, alarms) = try await monitor.round(from: before)
            if let after {
                for file in compareWith {
                    guard let other = try MonitorState.load(URL(fileURLWithPath: file)) else { continue }
                    alarms += try await monitor.compare(after, with: other, name: file)
                }
                if alarms.isEmpty, after != before { try after.save(stateURL) }
            }
            for alarm in alarms {
                alarmsSeen[alarm.kind, default: 0] += 1
                FileHandle.standardError.write(Data("ALARM \(alarm)\n".utf8))
            }
            if let metricsFile { try writeMetrics(metricsFile, alarms: alarmsSeen, size: after?.size ?? 0) }
            if alarms.isEmpty {
                print("ok: \(url) at \(after?.size ?? 0) leaves, consistent with everything verified before")
            }
            if !alarms.isEmpty { throw ExitCode(1) }
            if once { return }
            try await Task.sleep(for: .seconds(interval))
        }
    }

    private func writeMetrics(_ file: String, alarms: [LogMonitor.Alarm.Kind: Int], size: UInt64) throws {
        var text = "# TYPE accord_monitor_alarms_total counter\n"
        for kind in LogMonitor.Alarm.Kind.allCases { text += "accord_monitor_alarms_total{kind=\"\(kind.rawValue)\"} \(alarms[kind] ?? 0)\n" }
        text += "# TYPE accord_monitor_verified_size gauge\naccord_monitor_verified_size \(size)\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
