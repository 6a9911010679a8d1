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

    @Option(name: .customLong("verifier-key"), help: "The log's verifier key (name+keyid+base64); repeat for the keys before and after an audit key rotation.")
    var verifierKeys: [String] = []

    @Option(name: .customLong("verifier-keys"), help: "A file listing the log's verifier keys over time, one a line ('#' starts a comment).")
    var verifierKeyFile: String?

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
        let witnesses = try witnessKeys.map { try CosignatureVerifier(verifierKey: $0) }
        let fetcher = agency.map { AgencyLogFetcher(agency: $0, pki: URL(fileURLWithPath: pki)) }
        // The key file is read afresh each round, so a key added to it after a rotation is
        // followed without restarting the monitor.
        func monitor() throws -> LogMonitor {
            let verifiers = try logVerifiers()
            let required = cosignatures ?? witnessKeys.count
            guard let fetcher else {
                return LogMonitor(baseURL: url, verifiers: verifiers, witnesses: witnesses, cosignaturesRequired: required, checkEntries: entries)
            }
            return LogMonitor(baseURL: url, verifiers: verifiers, witnesses: witnesses, cosignaturesRequired: required,
                              checkEntries: entries, fetch: { try await fetcher.get($0) })
        }
        let stateURL = URL(fileURLWithPath: state)
        var alarmsSeen: [LogMonitor.Alarm.Kind: Int] = [:]
        while true {
            let before = try MonitorState.load(stateURL)
            let monitor = try monitor()
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

    /// Every `--verifier-key` and every key line of `--verifier-keys`; a key that does not parse
    /// is named with where it came from.
    private func logVerifiers() throws -> [NoteVerifier] {
        var keys = verifierKeys.map { (key: $0, origin: "--verifier-key '\($0)'") }
        if let verifierKeyFile {
            let text: String
            do { text = try String(contentsOfFile: verifierKeyFile, encoding: .utf8) } catch {
                throw ValidationError("--verifier-keys \(verifierKeyFile): cannot be read (\(error.localizedDescription))")
            }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let key = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
                if !key.isEmpty { keys.append((key, "\(verifierKeyFile), line \(number + 1)")) }
            }
        }
        guard !keys.isEmpty else { throw ValidationError("give the log's verifier key with --verifier-key or --verifier-keys") }
        var verifiers: [NoteVerifier] = []
        for (key, origin) in keys {
            do { verifiers.append(try NoteVerifier(verifierKey: key)) } catch { throw ValidationError("\(origin): \(error.message)") }
        }
        return verifiers
    }

    private func writeMetrics(_ file: String, alarms: [LogMonitor.Alarm.Kind: Int], size: UInt64) throws {
        var text = "# TYPE accord_monitor_alarms_total counter\n"
        for kind in LogMonitor.Alarm.Kind.allCases { text += "accord_monitor_alarms_total{kind=\"\(kind.rawValue)\"} \(alarms[kind] ?? 0)\n" }
        text += "# TYPE accord_monitor_verified_size gauge\naccord_monitor_verified_size \(size)\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
