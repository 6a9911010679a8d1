import AccordAudit
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordServer
import ArgumentParser
import Foundation
import Logging

/// `accord demo`: a fresh clone's first command. Makes the development PKI if missing, starts
/// the gateway on its embedded defaults, drives six exchanges between simulated agency
/// systems over real mTLS connections, verifies the audit log, and keeps serving.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start the gateway on its defaults and show agencies exchanging messages through it."
    )

    @Option(help: "The agency API's port.")
    var port = 8443

    @Option(name: .customLong("console-port"), help: "The console's port.")
    var consolePort = 8444

    @Option(name: .customLong("operations-port"), help: "The operations listener's port (plain HTTP /livez and /readyz on loopback).")
    var operationsPort = 8445

    @Option(help: "The development PKI directory (made if missing).")
    var pki = "Certificates/dev"

    @Option(help: "The agreements directory.")
    var agreements = "Agreements"

    @Option(help: "The SQLite database.")
    var database = "var/accord.sqlite"

    @Option(help: ArgumentHelp(
        "Run the gateway and the agencies on a clock that starts at this time (YYYY-MM-DD or RFC 3339) instead of now.",
        discussion: "Agreements are in force, and messages are dated, by that clock; certificates are checked on the real one.",
        valueName: "time"))
    var at: DemoClock?

    @Flag(name: .customLong("no-serve"), help: "Stop after the exchanges instead of serving until Ctrl-C.")
    var noServe = false

    func run() async throws {
        SignalMask.unblockControlSignals()
        LineBufferedOutput.enable()
        let style = DemoStyle.current
        print(style.heading("Accord demo") + style.dim("  (synthetic data; every person and business here is invented)"))
        let now: @Sendable () -> Date
        if let at { now = at.now } else { now = { Date() } }
        let set = try AgreementsIO.load(agreements, on: CalendarDate(now()))
        let made = try DevelopmentPKI(directory: URL(fileURLWithPath: pki)).ensure(
            agencies: set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id, name: $0.name) }.sorted { $0.id < $1.id },
            operators: DevelopmentPKI.Operator.development)
        let created = made.filter { $0.outcome != .kept }.count
        print(style.dim(created == 0 ? "PKI: \(pki) (existing)" : "PKI: \(pki) (\(created) files made or renewed)"))

        var configuration = GatewayConfiguration()
        configuration.listen = .init(host: "127.0.0.1", port: port)
        configuration.consoleListen = .init(host: "127.0.0.1", port: consolePort)
        configuration.operationsListen = .init(host: "127.0.0.1", port: operationsPort)
        configuration.certificatesDirectory = pki
        configuration.agreementsDirectory = agreements
        configuration.database = database
        var logger = Logger(label: "accord")
        logger.logLevel = .warning
        let server: GatewayServer
        do { server = try GatewayServer(configuration: configuration, logger: logger, now: now) } catch {
            throw ValidationError("\(error)")
        }
        let (ready, continuation) = AsyncStream.makeStream(of: (GatewayServer.Listener, Int).self)
        let serving = Task {
            defer { continuation.finish() }
            try await server.run { listener, port in continuation.yield((listener, port)) }
        }
        var ports: [GatewayServer.Listener: Int] = [:]
        for await (listener, bound) in ready {
            ports[listener] = bound
            if ports.count == 3 { break }
        }
        guard let apiPort = ports[.agencies], let console = ports[.console], let operations = ports[.operations] else {
            _ = try? await serving.value
            throw ValidationError("""
                the gateway did not start; is port \(port), \(consolePort) or \(operationsPort) in use? \
                Try --port, --console-port and --operations-port
                """)
        }
        print(style.dim("gateway: https://localhost:\(apiPort) (agency API), https://localhost:\(console) (console), database \(database)"))
        print(style.dim("probes: http://127.0.0.1:\(operations)/livez and /readyz"))

        let runner = DemoRunner(server: server, port: apiPort, pki: URL(fileURLWithPath: pki), style: style, now: now)
        for (number, scenario) in DemoScenario.all.enumerated() {
            await runner.run(scenario, number: number + 1)
        }
        try await runner.verifyAuditLog()

        if noServe {
            await server.shutdown()
            try await serving.value
            return
        }
        print("")
        print(style.heading("Still serving. Try it:"))
        print("  swift run accord send --as nz.immigration --gateway localhost:\(apiPort) --to nz.police --type referral --purpose law-enforcement message.json")
        print("  swift run accord inbox --as nz.police --gateway localhost:\(apiPort) --ack")
        print("  swift run accord audit verify --db \(database)")
        print("  console: https://localhost:\(console) with \(pki)/operators/officer/officer.p12 (password \(DevelopmentPKI.developmentPKCS12Password))")
        print(style.dim("Ctrl-C stops the gateway (in-flight requests finish first)."))
        try await serving.value
    }
}
