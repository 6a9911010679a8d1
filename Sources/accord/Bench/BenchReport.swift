import AccordCore
import Foundation
import Histogram

/// What `accord bench` measured, printed as tables or, with `--json`, as this structure.
struct BenchReport: Codable {
    struct Machine: Codable {
        var cores: Int
        /// 1, 5 and 15 minute load averages when the bench started.
        var loadAverage: [Double]
    }

    struct Latency: Codable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
        var mean: Double

        init(_ histogram: Histogram<UInt64>) {
            func ms(_ microseconds: UInt64) -> Double { (Double(microseconds) / 1_000 * 1_000).rounded() / 1_000 }
            p50 = ms(histogram.valueAtPercentile(50))
            p90 = ms(histogram.valueAtPercentile(90))
            p99 = ms(histogram.valueAtPercentile(99))
            p999 = ms(histogram.valueAtPercentile(99.9))
            max = ms(histogram.max)
            mean = (histogram.mean / 1_000 * 1_000).rounded() / 1_000
        }
    }

    struct Run: Codable {
        var recipients: Int
        /// "closed" or "open".
        var mode: String
        /// Messages per second offered, in open loop.
        var offeredRate: Double?
        var connections: Int
        var sent: Int
        var accepted: Int
        var elapsedSeconds: Double
        var acceptedPerSecond: Double
        /// Answers and failures other than the expected status, by status or error code.
        var other: [String: Int]
        /// Milliseconds, accepted messages only; in open loop measured from when each was due.
        var latencyMs: Latency
        var poolExhausted: Bool
        /// Cores the target processes kept busy during the run (when their pids are known).
        var targetCPUCores: Double?
        /// Cores PostgreSQL (the postmaster and its backends) kept busy, with --database-pid.
        var databaseCPUCores: Double?
        /// CPU milliseconds the target and the database spent per accepted message.
        var cpuMillisecondsPerMessage: Double?
        /// Accepted messages by target ("host:port"), when the load went to several nodes.
        var acceptedByTarget: [String: Int]?
        /// Cores the bench itself kept busy during the run.
        var benchCPUCores: Double
        /// Seconds spent issuing this run's SD-JWTs before its clock started.
        var issueSeconds: Double

        static func cpuPerMessage(cores: Double?, accepted perSecond: Double) -> Double? {
            guard let cores, perSecond > 0 else { return nil }
            return (cores / perSecond * 1_000 * 1_000).rounded() / 1_000
        }
    }

    struct Memory: Codable {
        var connections: Int
        var residentBytesBefore: Int
        var residentBytesWithConnections: Int
        var bytesPerConnection: Int
    }

    var target: String
    var path: String
    var expectedStatus: Int
    var spawned: Bool
    var machine: Machine
    var runs: [Run] = []
    var memory: Memory?
    /// The spawned gateway's setup directory, when kept.
    var setupDirectory: String?

    /// The report as canonical JSON with snake_case member names, as the plot script reads it.
    func json() -> String {
        guard let value = try? JSONValueEncoder().encode(self) else { return "{}" }
        return (try? CanonicalJSON.string(Self.snakeCased(value))) ?? "{}"
    }

    static func snakeCased(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            .object(Dictionary(members.map { (snakeCased($0.key), snakeCased($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .array(let elements): .array(elements.map(snakeCased))
        default: value
        }
    }

    /// `loadAverage` as `load_average`, `targetCPUCores` as `target_cpu_cores`, `p999` unchanged:
    /// a word starts at a capital after a small letter, or at the last capital of a run that a
    /// small letter follows, as `JSONEncoder`'s `.convertToSnakeCase` splits them.
    static func snakeCased(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) { out += "_" }
            }
            out += character.lowercased()
        }
        return out
    }

    func table() -> String {
        var lines = ["target \(target) \(path) (accepted = \(expectedStatus)), \(machine.cores) cores, load \(machine.loadAverage.map { String(format: "%.2f", $0) }.joined(separator: " "))"]
        if !runs.isEmpty {
            let header = ["rcpt", "mode", "conns", "sent", "accepted/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "cpu gw/db/bench", "cpu ms/msg", "other"]
            var rows = [header]
            for run in runs {
                let mode = run.mode == "open" ? "open \(Int(run.offeredRate ?? 0))/s" : "closed"
                let cores = [run.targetCPUCores, run.databaseCPUCores, run.benchCPUCores]
                let cpu = cores.map { $0.map { String(format: "%.2f", $0) } ?? "-" }.joined(separator: "/")
                var other = run.other.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
                if run.poolExhausted { other += other.isEmpty ? "pool exhausted" : " pool exhausted" }
                rows.append([
                    String(run.recipients), mode, String(run.connections), String(run.sent), String(format: "%.0f", run.acceptedPerSecond),
                    Self.format(run.latencyMs.p50), Self.format(run.latencyMs.p90), Self.format(run.latencyMs.p99),
                    Self.format(run.latencyMs.p999), Self.format(run.latencyMs.max), cpu,
                    run.cpuMillisecondsPerMessage.map { String(format: "%.3f", $0) } ?? "-", other.isEmpty ? "-" : other,
                ])
            }
            let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                lines.append(zip(row, widths).map { cell, width in cell.padding(toLength: width, withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
        if let memory {
            lines.append(String(format: "memory: %d connections open: RSS %.1f MB (before %.1f MB, %.1f KB per connection)",
                                memory.connections, Double(memory.residentBytesWithConnections) / 1_048_576,
                                Double(memory.residentBytesBefore) / 1_048_576, Double(memory.bytesPerConnection) / 1_024))
        }
        return lines.joined(separator: "\n")
    }

    private static func format(_ milliseconds: Double) -> String {
        milliseconds >= 100 ? String(format: "%.0f", milliseconds) : milliseconds >= 10 ? String(format: "%.1f", milliseconds) : String(format: "%.2f", milliseconds)
    }
}

/// CPU time of this process and, by pid, of another, to tell how busy each kept the machine.
enum CPUTime {
    static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// utime + stime from `/proc/<pid>/stat`.
    static func seconds(of pid: pid_t) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / ticks
    }

    /// The CPU of several processes together; nil if one cannot be read.
    static func seconds(of pids: [pid_t]) -> Double? {
        guard !pids.isEmpty else { return nil }
        var total = 0.0
        for pid in pids {
            guard let seconds = seconds(of: pid) else { return nil }
            total += seconds
        }
        return total
    }

    /// A server that forks a process per connection, as PostgreSQL does: the parent's CPU, its
    /// living children's, and that of the children it has reaped (cutime and cstime), so a
    /// backend that exits during a run still counts.
    static func treeSeconds(of parent: pid_t) -> Double? {
        guard let own = fields(of: parent), own.count > 14,
              let reaped = Double(own[13]).flatMap({ user in Double(own[14]).map { user + $0 } }) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = reaped / ticks + (seconds(of: parent) ?? 0)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), pid != parent, let child = fields(of: pid), child.count > 1, child[1] == "\(parent)" else { continue }
            total += seconds(of: pid) ?? 0
        }
        return total
    }

    /// The fields of `/proc/<pid>/stat` after the command: state first, then ppid.
    private static func fields(of pid: pid_t) -> [Substring]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ")
    }

    static func loadAverage() -> [Double] {
        var loads = [Double](repeating: 0, count: 3)
        _ = getloadavg(&loads, 3)
        return loads
    }
}
