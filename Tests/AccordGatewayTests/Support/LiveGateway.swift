import AccordCore
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordPolicyFiles
import AccordServer
import AccordTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// `accord serve`'s server, in process, on a free loopback port with a throwaway PKI and
/// database, its log lines captured so tests can search them.
final class LiveGateway: Sendable {
    let directory: URL
    let pki: DevelopmentPKI
    let server: GatewayServer
    let port: Int
    /// The console's port, when started with the console.
    let consolePort: Int?
    /// The operations listener's port (plain HTTP), when started with it.
    let operationsPort: Int?
    let logs: LogCapture
    private let task: Task<Void, any Error>

    /// `operations`: also the plain-HTTP operations listener (`/livez`, `/readyz`).
    /// `accounts`: a console accounts file to configure (the console then takes passwords too).
    /// `agreements`: the agreements directory (default: a copy of the shipped one, in force
    /// today whatever the date).
    /// `prepare` runs once the development PKI exists and returns the agreements directory to
    /// serve instead (a copy with its own registry, say).
    /// `now`: the gateway's clock (certificates are still checked on the wall clock).
    static func start(limits: GatewayConfiguration.Limits = GatewayConfiguration.Limits(), console: Bool = false,
                      operations: Bool = false, accounts: URL? = nil, agreements: URL? = nil, prepare: ((_ directory: URL, _ pki: DevelopmentPKI) throws -> URL)? = nil,
                      configure: (inout GatewayConfiguration) -> Void = { _ in },
                      now: @escaping @Sendable () -> Date = { Date() }) async throws -> LiveGateway {
        let directory = try PackageRoot.temporaryDirectory("live-gateway")
        let agreements = try agreements ?? AgreementsInForce.copy(into: directory.appendingPathComponent("in-force"))
        let set = try ActivePolicy(directory: agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self).current.policy.set
        let pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        _ = try pki.ensure(agencies: set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }.sorted { $0.id < $1.id },
                           operators: DevelopmentPKI.Operator.development)
        var configuration = GatewayConfiguration()
        configuration.listen = .init(host: "127.0.0.1", port: 0)
        configuration.consoleListen = console ? .init(host: "127.0.0.1", port: 0) : nil
        configuration.operationsListen = operations ? .init(host: "127.0.0.1", port: 0) : nil
        configuration.agreementsDirectory = try prepare?(directory, pki).path ?? agreements.path
        configuration.certificatesDirectory = pki.directory.path
        configuration.database = directory.appendingPathComponent("accord.sqlite").path
        configuration.limits = limits
        configuration.consoleAccounts = accounts?.path
        configure(&configuration)
        let logs = LogCapture()
        let logger = Logger(label: "accord") { label in logs.handler(label) }
        let server = try GatewayServer(configuration: configuration, logger: logger, now: now)
        let (ports, continuation) = AsyncStream.makeStream(of: (GatewayServer.Listener, Int).self)
        let task = Task { try await server.run(handleSignals: false) { listener, port in continuation.yield((listener, port)) } }
        var bound: [GatewayServer.Listener: Int] = [:]
        for await (listener, port) in ports {
            bound[listener] = port
            if bound.count == [true, configuration.consoleListen != nil, configuration.operationsListen != nil].filter({ $0 }).count { break }
        }
        guard let port = bound[.agencies] else { throw GatewayDidNotStart() }
        return LiveGateway(directory: directory, pki: pki, server: server, port: port, consolePort: bound[.console],
                           operationsPort: bound[.operations], logs: logs, task: task)
    }

    private init(directory: URL, pki: DevelopmentPKI, server: GatewayServer, port: Int, consolePort: Int?, operationsPort: Int?,
                 logs: LogCapture, task: Task<Void, any Error>) {
        self.directory = directory
        self.pki = pki
        self.server = server
        self.port = port
        self.consolePort = consolePort
        self.operationsPort = operationsPort
        self.logs = logs
        self.task = task
    }

    func stop() async {
        await server.shutdown()
        _ = try? await task.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body`, then stops the gateway and waits for it, whether `body` threw or not; a
    /// gateway that failed while running or stopping fails the test.
    func closing<T>(_ body: () async throws -> T) async throws -> T {
        let result: T
        do { result = try await body() } catch {
            await stop()
            throw error
        }
        await server.shutdown()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await task.value
        return result
    }

    /// curl with an operator's client certificate against the agency API.
    func curl(_ path: String, operator name: String) async throws -> ExternalProcess.Output {
        try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path, "--write-out", "\n%{content_type}\n%{http_code}",
            "--cert", pki.operatorCertificate(name).path, "--key", pki.operatorKey(name).path, "https://localhost:\(port)\(path)",
        ])
    }

    /// curl, with no certificate, against the operations listener (plain HTTP).
    func curlOperations(_ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        let port = try #require(operationsPort, "the gateway was started without its operations listener")
        return try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--write-out", "\n%{content_type}\n%{http_code}",
        ] + extra + ["http://127.0.0.1:\(port)\(path)"])
    }

    /// curl with any client certificate and key against this gateway.
    func curl(_ path: String, certificate: URL, key: URL) async throws -> ExternalProcess.Output {
        try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path, "--write-out", "\n%{content_type}\n%{http_code}",
            "--cert", certificate.path, "--key", key.path, "https://localhost:\(port)\(path)",
        ])
    }

    /// curl with an agency's client certificate against this gateway.
    func curl(_ path: String, as agency: String?, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        var arguments = ["--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path, "--write-out", "\n%{content_type}\n%{http_code}"]
        if let agency { arguments += ["--cert", pki.agencyTLSCertificate(agency).path, "--key", pki.agencyTLSKey(agency).path] }
        return try await ExternalProcess.run("curl", arguments + extra + ["https://localhost:\(port)\(path)"])
    }
}

struct GatewayDidNotStart: Error {}

/// Collects every log line with its metadata.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func handler(_ label: String) -> some LogHandler { Handler(capture: self) }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append("\(event.level) \(event.message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}

/// curl's body, and the content type and status code `--write-out` appended.
extension ExternalProcess.Output {
    private var trailer: [Substring] { standardOutput.split(separator: "\n", omittingEmptySubsequences: false).suffix(2) }
    var httpStatus: Int { Int(trailer.last ?? "") ?? 0 }
    var contentType: String { trailer.count == 2 ? String(trailer.first!) : "" }
    var body: String {
        var lines = standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast(min(2, lines.count))
        return lines.joined(separator: "\n")
    }

    /// The exchange as `openapi_conformance.py` checks it.
    func exchange(_ method: String, _ path: String) -> [String: Any] {
        ["method": method, "path": path, "status": httpStatus, "content_type": contentType, "body": body]
    }
}

/// Runs `Tests/Interop/openapi_conformance.py` on real exchanges; the failures it found.
func openAPIFailures(_ exchanges: [[String: Any]], in directory: URL) async throws -> [String] {
    let file = directory.appendingPathComponent("conformance-\(UUID().uuidString).json")
    try JSONSerialization.data(withJSONObject: [
        "spec": PackageRoot.url.appendingPathComponent("docs/openapi.yaml").path, "exchanges": exchanges,
    ]).write(to: file)
    let output = try await ExternalProcess.python("openapi_conformance.py", [file.path])
    guard output.status == 0, let answer = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any],
          let failures = answer["failures"] as? [String], answer["checked"] as? Int == exchanges.count else {
        return ["openapi_conformance.py failed: \(output.standardError)"]
    }
    return failures
}
