import AccordCore
import AccordClient
import AccordCrypto
import AccordGateway
import AccordServer
import AccordTLS
import ArgumentParser
import Foundation

/// `accord bench`: load over mutual TLS against a running gateway, or one it starts itself.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure accepted messages per second and latency over mutual TLS.",
        discussion: """
            Every SD-JWT is issued before the clock starts, each with its own jti. Closed loop by default: each \
            connection sends its next message as soon as the previous one is answered. --rate runs an open loop on a \
            fixed schedule instead, latency measured from when each message was due. Latency percentiles come from \
            HdrHistogram. With --spawn the bench starts `accord serve` itself on a throwaway database with raised \
            limits and the shipped agreements plus one bench-only agreement (so that a message can have four \
            recipients); a gateway started by hand needs the same, see --write-setup. See docs/performance.md.
            """
    )

    @Option(help: "The gateway (or any mTLS HTTP server), host:port; several nodes of one gateway as a comma-separated list, which share the connections evenly.")
    var target = "127.0.0.1:8443"

    @Option(help: "The name checked against the server's certificate.")
    var serverName = "localhost"

    @Option(help: "The development PKI (`accord pki init`).")
    var pki = "Certificates/dev"

    @Flag(help: "Start `accord serve` as a child process on a throwaway database (its address is picked, --target ignored).")
    var spawn = false

    @Option(help: "The shipped agreements, copied for a spawned gateway.")
    var agreements = "Agreements"

    @Option(help: "Keep-alive connections per load shape.")
    var connections = 64

    @Option(help: "Seconds of measured load per shape (closed loop, unless --messages is given).")
    var duration: Double = 10

    @Option(help: "Send exactly this many messages per shape instead of running for --duration.")
    var messages: Int?

    @Option(help: "Recipients per message: a comma-separated list of 1, 2, 4, or 'none' (only --hold-connections).")
    var recipients = "1,2,4"

    @Option(help: "Seconds of unmeasured warm-up load per shape (0: none).")
    var warmup: Double = 2

    @Option(help: "Open loop at this many messages per second instead of a closed loop.")
    var rate: Double?

    @Flag(help: "After each closed-loop run, an open-loop run at half its accepted rate (\"p99 at half the maximum\").")
    var halfRate = false

    @Option(help: "The request path (another server: e.g. '/').")
    var path = "/v1/messages"

    @Option(help: "The status that counts as accepted (another server: e.g. 200).")
    var expectStatus = 202

    @Option(help: "After the load, open this many connections and report the target's resident memory.")
    var holdConnections: Int?

    @Option(name: .customLong("target-pid"), help: "The target's process id, for its CPU use and memory (known with --spawn); repeat it for each node.")
    var targetPIDs: [Int32] = []

    @Option(help: "The PostgreSQL postmaster's process id: the CPU it and its backends use is reported beside the target's.")
    var databasePID: Int32?

    @Option(help: ArgumentHelp(
        "Write a gateway configuration (listening on --target, raised limits) and agreements directory for bench load to this directory.",
        discussion: "Without --spawn, write them and exit; with --spawn, the spawned gateway uses them and they are kept."))
    var writeSetup: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard connections > 0 else { throw ValidationError("--connections must be at least 1") }
        guard duration > 0 else { throw ValidationError("--duration must be positive") }
        if let messages, messages <= 0 { throw ValidationError("--messages must be at least 1") }
        if let rate, rate <= 0 { throw ValidationError("--rate must be positive") }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
        _ = try recipientCounts()
    }

    func recipientCounts() throws -> [Int] {
        if recipients == "none" { return [] }
        let counts = recipients.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0.map(BenchShape.supportedRecipientCounts.contains) ?? false }) else {
            throw ValidationError("--recipients takes a comma-separated list of 1, 2, 4, or 'none'")
        }
        return counts.compactMap { $0 }
    }

    func run() async throws {
        OpenFileLimit.raise()
        let pkiURL = URL(fileURLWithPath: pki).standardizedFileURL
        guard FileManager.default.fileExists(atPath: pkiURL.appendingPathComponent("ca.pem").path) else {
            throw BenchError("no development PKI in \(pki): run 'accord pki init' first")
        }
        var endpoints: [GatewayConfiguration.Address]
        var gateway: SpawnedGateway?
        var setup: BenchSetup?
        if spawn {
            let directory = writeSetup.map { URL(fileURLWithPath: $0).standardizedFileURL }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(UUID().uuidString.prefix(8))")
            let bench = BenchSetup(directory: directory)
            let address = GatewayConfiguration.Address(host: "127.0.0.1", port: try SpawnedGateway.freePort())
            endpoints = [address]
            try bench.write(shippedAgreements: URL(fileURLWithPath: agreements), pki: pkiURL, listen: "\(address.host):\(address.port)")
            gateway = try SpawnedGateway(executable: SpawnedGateway.currentExecutable, configuration: bench.configuration, log: bench.gatewayLog)
            setup = bench
        } else {
            endpoints = try target.split(separator: ",").map { item in
                guard let address = GatewayConfiguration.Address(parsing: item.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--target takes host:port, or several separated by commas: '\(item)' is not one")
                }
                return address
            }
            if let writeSetup {
                let bench = BenchSetup(directory: URL(fileURLWithPath: writeSetup).standardizedFileURL)
                try bench.write(shippedAgreements: URL(fileURLWithPath: agreements), pki: pkiURL, listen: target)
                print("wrote \(bench.configuration.path) and \(bench.agreements.path); start the gateway with: accord serve --config \(bench.configuration.path)")
                return
            }
        }
        let report: BenchReport
        do {
            report = try await measure(endpoints: endpoints, pki: pkiURL, gateway: gateway)
        } catch {
            if let gateway, let setup {
                await gateway.terminate()
                throw BenchError("\(error)\n\(Self.tail(of: setup.gatewayLog))")
            }
            throw error
        }
        if let gateway { await gateway.terminate() }
        if let setup, writeSetup == nil { try? FileManager.default.removeItem(at: setup.directory) }
        print(json ? report.json() : report.table())
    }

    private func measure(endpoints: [GatewayConfiguration.Address], pki: URL, gateway: SpawnedGateway?) async throws -> BenchReport {
        let pids = gateway.map { [$0.pid] } ?? targetPIDs
        let target = LoadTarget(endpoints: endpoints, path: path, contentType: "application/sd-jwt", expectedStatus: expectStatus)
        var report = BenchReport(
            target: endpoints.map { "\($0.host):\($0.port)" }.joined(separator: ","), path: path, expectedStatus: expectStatus, spawned: spawn,
            machine: .init(cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: CPUTime.loadAverage()),
            setupDirectory: spawn ? writeSetup : nil)
        let firstSender = try recipientCounts().first.flatMap(BenchShape.forRecipients)?.sender ?? "nz.immigration"
        let probe = LoadDriver(target: target, context: try context(pki: pki, agency: firstSender))
        let first = try await waitUntilReachable(probe, gateway: gateway)
        let holderKey = try await bindingKey(over: first, pki: pki)
        await first.close()
        let runID = String(UUID().uuidString.prefix(8)).lowercased()

        for count in try recipientCounts() {
            guard let shape = BenchShape.forRecipients(count) else { continue }
            let driver = LoadDriver(target: target, context: try context(pki: pki, agency: shape.sender))
            var open = try await driver.connect(count: connections)
            var estimate: Double?
            if warmup > 0 {
                let pool = try await MessagePool.issue(min(messages ?? 4_000, 4_000), shape: shape, pki: pki, holderKey: holderKey, runID: runID + "w")
                let (result, survivors) = await driver.run(pool, over: open, mode: .closed(deadline: .milliseconds(Int64(warmup * 1_000))))
                open = survivors
                estimate = result.acceptedPerSecond
            }
            if let rate {
                let run = try await measured(driver, shape: shape, over: &open, count: Int(rate * duration), mode: .open(rate: rate), pids: pids, runID: runID + "o")
                report.runs.append(run)
            } else {
                let count = messages ?? Self.poolSize(duration: duration, estimate: estimate)
                let deadline: Duration? = messages == nil ? .milliseconds(Int64(duration * 1_000)) : nil
                let run = try await measured(driver, shape: shape, over: &open, count: count, mode: .closed(deadline: deadline), pids: pids, runID: runID + "c")
                report.runs.append(run)
                if halfRate, run.acceptedPerSecond > 1 {
                    let half = (run.acceptedPerSecond / 2).rounded()
                    let count = messages ?? Int(half * duration)
                    report.runs.append(try await measured(driver, shape: shape, over: &open, count: count, mode: .open(rate: half), pids: pids, runID: runID + "h"))
                }
            }
            for connection in open { await connection.close() }
        }
        if let holdConnections {
            guard pids.count == 1, let pid = pids.first else {
                throw ValidationError("--hold-connections needs --spawn or one --target-pid to read the target's memory")
            }
            report.memory = try await holdOpen(holdConnections, driver: probe, pid: pid)
        }
        return report
    }

    /// Issues `count` messages, then runs them with the clock going.
    private func measured(
        _ driver: LoadDriver, shape: BenchShape, over open: inout [AccordHTTPConnection], count: Int, mode: LoadMode, pids: [pid_t], runID: String
    ) async throws -> BenchReport.Run {
        let holderKey = try await bindingKey(over: open.first, pki: URL(fileURLWithPath: pki).standardizedFileURL)
        let issueStart = ContinuousClock.now
        let pool = try await MessagePool.issue(count, shape: shape, pki: URL(fileURLWithPath: pki).standardizedFileURL, holderKey: holderKey, runID: runID)
        let issueSeconds = (ContinuousClock.now - issueStart).seconds
        // Issuing can outlast the server's keep-alive or idle timeout: start on fresh connections.
        for connection in open { await connection.close() }
        open = try await driver.connect(count: connections)
        let targetBefore = CPUTime.seconds(of: pids)
        let databaseBefore = databasePID.flatMap(CPUTime.treeSeconds(of:))
        let ownBefore = CPUTime.ownSeconds()
        let (result, survivors) = await driver.run(pool, over: open, mode: mode)
        let elapsed = result.elapsed.seconds
        let targetCPU = CPUTime.seconds(of: pids).flatMap { after in targetBefore.map { (after - $0) / elapsed } }
        let databaseCPU = databasePID.flatMap(CPUTime.treeSeconds(of:)).flatMap { after in databaseBefore.map { (after - $0) / elapsed } }
        open = survivors
        var rate: Double?
        if case .open(let offered) = mode { rate = offered }
        return BenchReport.Run(
            recipients: shape.recipientCount, mode: rate == nil ? "closed" : "open", offeredRate: rate, connections: connections,
            sent: result.sent, accepted: result.accepted, elapsedSeconds: (elapsed * 1_000).rounded() / 1_000,
            acceptedPerSecond: result.acceptedPerSecond.rounded(), other: result.outcomes.filter { $0.key != String(expectStatus) },
            latencyMs: BenchReport.Latency(result.latency), poolExhausted: result.poolExhausted,
            targetCPUCores: targetCPU.map { ($0 * 100).rounded() / 100 }, databaseCPUCores: databaseCPU.map { ($0 * 100).rounded() / 100 },
            cpuMillisecondsPerMessage: BenchReport.Run.cpuPerMessage(cores: targetCPU.map { $0 + (databaseCPU ?? 0) }, accepted: result.acceptedPerSecond),
            acceptedByTarget: result.acceptedByEndpoint.count > 1 ? result.acceptedByEndpoint : nil,
            benchCPUCores: ((CPUTime.ownSeconds() - ownBefore) / elapsed * 100).rounded() / 100,
            issueSeconds: (issueSeconds * 100).rounded() / 100)
    }

    /// Enough messages for `duration` at 1.25 times the warm-up rate; a run that still runs out
    /// ends early and says so (its rate stays valid).
    static func poolSize(duration: Double, estimate: Double?) -> Int {
        let rate = max(estimate ?? 15_000, 1_000)
        return min(Int(rate * 1.25 * duration) + 1_000, 600_000)
    }

    private func context(pki: URL, agency: String) throws -> TLSContext {
        try TLSContext.agencyClient(pkiDirectory: pki, agency: agency, serverName: serverName)
    }

    /// The key the messages' `cnf.jwk` must name: the gateway's `GET /v1/keys`, or, for another
    /// server, the development PKI's binding key.
    private func bindingKey(over connection: AccordHTTPConnection?, pki: URL) async throws -> PublicKey {
        if path == "/v1/messages", let connection,
           let response = try? await connection.request(method: "GET", path: "/v1/keys"), response.status == 200,
           let keys = try? JSONValueDecoder().decode(BindingKeyResponse.self, from: response.body) {
            return try PublicKey(jwk: keys.binding)
        }
        return try PrivateKey(pemFile: pki.appendingPathComponent("gateway/binding-key.pem").path).publicKey
    }

    private struct BindingKeyResponse: Decodable { let binding: JWK }

    /// Connects, retrying for up to 30 s while a spawned gateway starts.
    private func waitUntilReachable(_ driver: LoadDriver, gateway: SpawnedGateway?) async throws -> AccordHTTPConnection {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do { return try await driver.connect() } catch {
                if let gateway, !gateway.isRunning { throw BenchError("the spawned gateway exited before it answered") }
                guard gateway != nil, error.code == .connectFailed, ContinuousClock.now < deadline else {
                    throw BenchError("cannot reach the target: \(error)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Opens `count` connections, each completing one request, and reads the target's RSS.
    private func holdOpen(_ count: Int, driver: LoadDriver, pid: pid_t) async throws -> BenchReport.Memory {
        try await Task.sleep(for: .milliseconds(500))
        guard let before = ProcessMemory.residentBytes(of: pid) else { throw BenchError("cannot read /proc/\(pid)/status") }
        let held = try await driver.connect(count: count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, connection) in held.enumerated() {
                group.addTask {
                    let response = try await connection.request(method: "GET", path: path == "/v1/messages" ? "/v1/keys" : path)
                    guard response.status < 500 else { throw BenchError("connection \(index): status \(response.status)") }
                }
                if index % 64 == 63 { try await group.waitForAll() }
            }
            try await group.waitForAll()
        }
        try await Task.sleep(for: .seconds(1))
        guard held.allSatisfy(\.isOpen) else { throw BenchError("the target closed some of the \(count) connections") }
        let with = ProcessMemory.residentBytes(of: pid) ?? 0
        for connection in held { await connection.close() }
        return BenchReport.Memory(connections: count, residentBytesBefore: before, residentBytesWithConnections: with,
                                  bytesPerConnection: max(0, with - before) / max(1, count))
    }

    private static func tail(of log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return "gateway log (\(log.path)):\n" + text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }
}
