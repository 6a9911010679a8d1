import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordServer
import ArgumentParser
import Foundation
import Logging

/// `accord demo`: a fresh clone's first command. Makes the development PKI if missing, starts
/// the gateway on its embedded defaults and a second, Australian gateway beside it as its
/// partner (docs/federation.md), drives six exchanges between simulated agency systems over
/// real mTLS connections (the one for the Australian Border Force forwarded through its own
/// gateway), shows a flow without an IPP 12 ground refused, verifies both audit logs, and keeps
/// serving.
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

    @Option(name: .customLong("partner-port"), help: "The Australian partner gateway's agency API port.")
    var partnerPort = 8446

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

    @Flag(name: .customLong("no-partner"), help: "Leave the Australian gateway out: au.abf pulls from this gateway instead.")
    var noPartner = false

    func run() async throws {
        SignalMask.unblockControlSignals()
        LineBufferedOutput.enable()
        let style = DemoStyle.current
        print(style.heading("Accord demo") + style.dim("  (synthetic data; every person and business here is invented)"))
        let now: @Sendable () -> Date
        if let at { now = at.now } else { now = { Date() } }
        let set = try AgreementsIO.load(agreements, on: CalendarDate(now()))
        let made = try DevelopmentPKI(directory: URL(fileURLWithPath: pki)).ensure(
            agencies: set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }.sorted { $0.id < $1.id },
            operators: DevelopmentPKI.Operator.development)
        let created = made.filter { $0.outcome != .kept }.count
        print(style.dim(created == 0 ? "PKI: \(pki) (existing)" : "PKI: \(pki) (\(created) files made or renewed)"))

        var logger = Logger(label: "accord")
        logger.logLevel = .warning
        // The Australian gateway starts first: New Zealand's registry must name its port.
        let demoDirectory = URL(fileURLWithPath: database).deletingLastPathComponent()
        var agreementsInForce = URL(fileURLWithPath: agreements)
        var side: DemoPartnerSide?
        var partnerServing: Task<Void, any Error>?
        if !noPartner {
            let started = try await startPartner(in: demoDirectory, logger: logger, now: now)
            side = started.side
            partnerServing = started.serving
            agreementsInForce = try DemoPartner.newZealandAgreements(copying: URL(fileURLWithPath: agreements),
                                                                     into: demoDirectory.appendingPathComponent("nz-agreements"),
                                                                     australianPort: started.side.port)
        }

        var configuration = GatewayConfiguration()
        configuration.listen = .init(host: "127.0.0.1", port: port)
        configuration.consoleListen = .init(host: "127.0.0.1", port: consolePort)
        configuration.operationsListen = .init(host: "127.0.0.1", port: operationsPort)
        configuration.certificatesDirectory = pki
        configuration.agreementsDirectory = agreementsInForce.path
        configuration.database = database
        let server: GatewayServer
        do { server = try GatewayServer(configuration: configuration, logger: logger, now: now) } catch {
            await side?.server.shutdown()
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
            await side?.server.shutdown()
            throw ValidationError("""
                the gateway did not start; is port \(port), \(consolePort) or \(operationsPort) in use? \
                Try --port, --console-port and --operations-port
                """)
        }
        print(style.dim("gateway: https://localhost:\(apiPort) (agency API), https://localhost:\(console) (console), database \(database)"))
        print(style.dim("probes: http://127.0.0.1:\(operations)/livez and /readyz"))
        var federatedSide: DemoPartnerSide?
        if let side {
            print(style.dim("partner: the Australian gateway, https://localhost:\(side.port) (agency API), database \(side.partner.database), PKI \(side.partner.pki.directory.path)"))
            // A database that has an agreement set keeps it over the directory's (docs/agreements.md), so
            // one made before, or with another --partner-port, may name no partner or the wrong port.
            let endpoint = "https://localhost:\(side.port)/v1/federation/deliveries"
            if server.gateway.policy.current.policy.set.gateways[DemoPartner.gatewayID]?.endpoint == endpoint {
                federatedSide = side
            } else {
                print(style.dim("note: the agreements in force in \(database) do not name the Australian gateway at \(endpoint); "
                                + "au.abf pulls from this gateway instead. Start with a fresh --database to see the forward."))
            }
        } else {
            print(style.dim("partner: not started (--no-partner); au.abf pulls from this gateway"))
        }
        let runner = DemoRunner(server: server, port: apiPort, pki: URL(fileURLWithPath: pki), style: style, now: now, partner: federatedSide)
        for (number, scenario) in DemoScenario.all.enumerated() {
            await runner.run(scenario, number: number + 1)
        }
        try runner.refuseFlowWithoutGround(agreements: agreementsInForce, scratch: demoDirectory.appendingPathComponent("draft-without-ground"),
                                           number: DemoScenario.all.count + 1)
        try await runner.verifyAuditLog(title: "Audit log (New Zealand)")
        if let side { try await runner.verifyAuditLog(of: side.server, title: "Audit log (the Australian gateway)") }

        if noServe {
            await server.shutdown()
            await side?.server.shutdown()
            try await serving.value
            try await partnerServing?.value
            return
        }
        print("")
        print(style.heading("Still serving. Try it:"))
        print("  swift run accord send --as nz.immigration --gateway localhost:\(apiPort) --to nz.police --type referral --purpose law-enforcement message.json")
        print("  swift run accord inbox --as nz.police --gateway localhost:\(apiPort) --ack")
        print("  swift run accord audit verify --db \(database)")
        if let side {
            print("  swift run accord inbox --as au.abf --gateway localhost:\(side.port) --pki \(side.partner.pki.directory.path)   (at the Australian gateway)")
        }
        print("  console: https://localhost:\(console) with \(pki)/operators/officer/officer.p12 (password \(DevelopmentPKI.developmentPKCS12Password))")
        print(style.dim("Ctrl-C stops the gateway (in-flight requests finish first)."))
        try await serving.value
        try await partnerServing?.value
    }

    /// The Australian gateway, in this process, on its own PKI, agreements and database.
    private func startPartner(in demoDirectory: URL, logger: Logger, now: @escaping @Sendable () -> Date)
        async throws -> (side: DemoPartnerSide, serving: Task<Void, any Error>) {
        let partner = try DemoPartner.prepare(in: demoDirectory.appendingPathComponent("au"), newZealandAgreements: URL(fileURLWithPath: agreements),
                                              newZealandPort: port == 0 ? 8443 : port)
        try partner.join(newZealand: DevelopmentPKI(directory: URL(fileURLWithPath: pki)))
        var partnerConfiguration = GatewayConfiguration()
        partnerConfiguration.listen = .init(host: "127.0.0.1", port: partnerPort)
        partnerConfiguration.consoleListen = nil
        partnerConfiguration.operationsListen = nil
        partnerConfiguration.certificatesDirectory = partner.pki.directory.path
        partnerConfiguration.agreementsDirectory = partner.agreements.path
        partnerConfiguration.database = partner.database
        partnerConfiguration.auditOrigin = "accord.local/au-audit"
        let partnerServer: GatewayServer
        do { partnerServer = try GatewayServer(configuration: partnerConfiguration, logger: logger, now: now) } catch {
            throw ValidationError("the Australian gateway: \(error)")
        }
        let (partnerReady, partnerContinuation) = AsyncStream.makeStream(of: (GatewayServer.Listener, Int).self)
        let partnerServing = Task {
            defer { partnerContinuation.finish() }
            try await partnerServer.run { listener, port in partnerContinuation.yield((listener, port)) }
        }
        var partnerPortBound: Int?
        for await (listener, bound) in partnerReady where listener == .agencies {
            partnerPortBound = bound
            break
        }
        guard let partnerAPIPort = partnerPortBound else {
            _ = try? await partnerServing.value
            throw ValidationError("the Australian gateway did not start; is port \(partnerPort) in use? Try --partner-port")
        }
        return (DemoPartnerSide(partner: partner, server: partnerServer, port: partnerAPIPort), partnerServing)
    }
}
