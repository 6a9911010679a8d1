public import AccordGateway
import AccordAudit
import AccordConsole
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
public import AccordStore
import AccordTLS
import AccordTLSHummingbird
public import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `accord serve`: the agency API over mutual TLS, the store's writer, retention, agreement
/// reloads on SIGHUP, and graceful shutdown on SIGTERM or SIGINT that finishes in-flight
/// requests before the store writes its last checkpoint.
public final class GatewayServer: Sendable {
    public let configuration: GatewayConfiguration
    public let gateway: Gateway
    public let store: any GatewayStorage
    let keys: GatewayKeys
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// Replaces trust anchors, CRLs and the TLS certificate while the gateway runs.
    let trust: TrustReloader
    /// The connection cap's shares of the agency API and the console, which together bound what
    /// the process holds open. Tests wait on their counts rather than sleep until the server
    /// has seen a close.
    let agencyConnectionCap: ConnectionCap
    let consoleConnectionCap: ConnectionCap
    private let running = Mutex<ServiceGroup?>(nil)

    /// The gateway's time for messages, agreements and audit records. Only `accord demo --at`
    /// sets another (docs/testing.md); certificates and CRLs are always checked on the wall clock.
    let now: @Sendable () -> Date

    /// A gateway on the SQLite database at `configuration.database`; `open` takes either backend.
    public convenience init(
        configuration: GatewayConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) throws(GatewayStartupError) {
        guard !PostgresStore.isURL(configuration.database) else {
            throw GatewayStartupError("the database is a PostgreSQL URL: open the gateway with GatewayServer.open")
        }
        let databaseDirectory = URL(fileURLWithPath: configuration.database).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: databaseDirectory, withIntermediateDirectories: true)
        let store: SQLiteStore
        let stored: StoredAgreementSet?
        do {
            store = try SQLiteStore.open(path: configuration.database, configuration: try Self.storeConfiguration(configuration))
            stored = try store.latestAgreementSetAtStartup()
        } catch {
            throw GatewayStartupError("cannot open the database \(configuration.database): \(error)")
        }
        try self.init(configuration: configuration, logger: logger, store: store, stored: stored, now: now)
    }

    /// A gateway on the database `configuration.database` names: a `postgres://` URL is
    /// PostgreSQL, shared with the other nodes (docs/operations.md, "PostgreSQL"); anything else
    /// is a SQLite file.
    public static func open(
        configuration: GatewayConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) async throws(GatewayStartupError) -> GatewayServer {
        guard PostgresStore.isURL(configuration.database) else { return try GatewayServer(configuration: configuration, logger: logger, now: now) }
        let store: PostgresStore
        let stored: StoredAgreementSet?
        do {
            store = try await PostgresStore.open(url: configuration.database, configuration: try storeConfiguration(configuration))
            stored = try await store.latestAgreementSet()
        } catch {
            // The URL may hold a password: the error names the database by its role, not its URL.
            throw GatewayStartupError("cannot open the PostgreSQL database: \(error)")
        }
        return try GatewayServer(configuration: configuration, logger: logger, store: store, stored: stored, now: now)
    }

    /// The store opens with the audit key alone; the trust follows the registry of the set it restores.
    private static func storeConfiguration(_ configuration: GatewayConfiguration) throws -> StoreConfiguration {
        let auditKey = try GatewayKeys.loadAuditKey(directory: configuration.certificatesDirectory)
        let signer = try NoteSigner(name: configuration.auditOrigin, privateKey: auditKey)
        return StoreConfiguration(origin: configuration.auditOrigin, signer: signer, checkpointEveryLeaves: configuration.checkpointEveryLeaves,
                                  checkpointInterval: .seconds(configuration.checkpointIntervalSeconds))
    }

    private init(
        configuration: GatewayConfiguration, logger: Logger, store: any GatewayStorage, stored: StoredAgreementSet?,
        now: @escaping @Sendable () -> Date
    ) throws(GatewayStartupError) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.now = now
        let policy = try Self.policyAtStart(stored: stored, directory: configuration.agreementsDirectory, today: CalendarDate(now()))
        keys = try TrustCheck.keys(configuration, set: policy.current.policy.set)
        registry = PrometheusCollectorRegistry()
        var options = Gateway.Options()
        options.retention = TimeInterval(configuration.retentionDays) * 86_400
        options.maxBytes = configuration.limits.maxBodyBytes
        options.maxDisclosures = configuration.limits.maxDisclosures
        options.inboxPageSize = configuration.limits.inboxPageSize
        options.auditOrigin = configuration.auditOrigin
        gateway = try Gateway(store: store, policy: policy, keys: keys, options: options,
                              metrics: GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger, now: now,
                              certificateTime: { Date() })
        let consoleCertificates = TrustCheck.consoleCertificates(configuration)
        let caps = ListenerCaps(limits: configuration.limits, console: configuration.consoleListen != nil)
        let refusals = ConnectionRefusals(
            counter: gateway.metrics.connectionsRefused, logger: logger,
            message: "connections refused at accept: a listener's share of the connection cap is reached",
            metadata: ["max_connections": "\(configuration.limits.maxConnections)", "agency_share": "\(caps.agencies)", "console_share": "\(caps.console)"])
        // One cap split between the listeners: together they bound what the process holds open,
        // and neither can take the other's share.
        agencyConnectionCap = ConnectionCap(limit: caps.agencies) { refusals.record() }
        consoleConnectionCap = ConnectionCap(limit: max(caps.console, 1)) { refusals.record() }
        trust = try TrustReloader(configuration: configuration, gateway: gateway, store: store, keys: keys,
                                  consoleCertificates: consoleCertificates, logger: logger)
    }

    /// Re-reads and swaps the trust as SIGHUP does (`accord certificates reload`, the console).
    public func reloadTrust(by actor: String) async -> TrustReloadOutcome {
        await trust.reload(by: actor)
    }

    /// The listeners, as reported to `run`'s `onReady`.
    public enum Listener: String, Sendable {
        case agencies
        case console
        /// Plain HTTP `/livez` and `/readyz` (`operations.listen`).
        case operations
    }

    /// The checks behind `/readyz`, as they stand now.
    public func readiness(at now: Date = Date()) async -> Readiness.Report {
        await readinessChecks.evaluate(at: now)
    }

    var readinessChecks: Readiness {
        Readiness(store: store, policy: gateway.policy, trust: trust, checkpointInterval: TimeInterval(configuration.checkpointIntervalSeconds),
                  gatewayNow: now)
    }

    /// The agency API's routes: what `run` serves on the agency listener behind mutual TLS, and
    /// what the HTTP fuzz target drives in process with the peer a handshake would have given.
    public func agencyRouter() throws -> Router<GatewayRequestContext> {
        agencyRouter(log: try logRoutes())
    }

    func agencyRouter(log: LogRoutes) -> Router<GatewayRequestContext> {
        let limits = configuration.limits
        let router = Router(context: GatewayRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        router.get("healthz") { _, _ in
            JSONResponse.make(["status": "ok"])
        }
        let registry = self.registry
        let cap = agencyConnectionCap
        let consoleCap = consoleConnectionCap
        let metrics = gateway.metrics
        let store = self.store
        let logger = self.logger
        router.get("metrics") { _, context in
            // Gateway-wide traffic is for the people who run and oversee it, not for agencies.
            guard case .operator = context.peer?.identity else {
                return ProblemResponse.make(GatewayProblem(
                    code: "not-an-operator", status: 403, title: "An operator certificate is required",
                    detail: "metrics are for operators (urn:accord:operator:<role>:<name>); agency certificates cannot read them"))
            }
            metrics.connectionsOpen.record(cap.openConnections + consoleCap.openConnections)
            await GatewayServer.recordStoreGauges(store, metrics: metrics, logger: logger)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        MethodNotAllowed.register("healthz", allowing: [.get], on: router)
        MethodNotAllowed.register("metrics", allowing: [.get], on: router)
        let rateLimiter = RateLimiter(rate: limits.requestsPerSecond, burst: limits.burst)
        AgencyRoutes(gateway: gateway, maxBodyBytes: limits.maxBodyBytes, rateLimiter: rateLimiter).register(on: router)
        FederationRoutes(gateway: gateway, certificatesDirectory: configuration.certificatesDirectory, maxBodyBytes: limits.maxBodyBytes,
                         rateLimiter: rateLimiter).register(on: router)
        registerLog(log, on: router, rateLimiter: rateLimiter)
        return router
    }

    /// Runs until SIGTERM or SIGINT (or until the task is cancelled). `onReady` receives each
    /// listener's bound port (useful with port 0). Tests running several gateways in one
    /// process pass `handleSignals: false`.
    public func run(
        handleSignals: Bool = true, onReady: @escaping @Sendable (Listener, Int) async -> Void = { _, _ in }
    ) async throws {
        let limits = configuration.limits
        if let files = OpenFileLimit.raise() {
            // Connections, the database and its WAL, logs: leave room beyond the cap.
            let needed = UInt64(limits.maxConnections) + 64
            if files.soft < needed {
                logger.warning("the open-file limit is below the connection cap; connections beyond it will fail to be accepted",
                               metadata: ["open_files": "\(files.soft)", "max_connections": "\(limits.maxConnections)",
                                          "fix": "raise LimitNOFILE (systemd) or the container's nofile ulimit"])
            }
        }
        let caps = ListenerCaps(limits: limits, console: configuration.consoleListen != nil)
        let sourceRefusals = ConnectionRefusals(
            counter: gateway.metrics.connectionsRefusedPerSource, logger: logger,
            message: "connections refused at accept: an address holds its most connections that have not authenticated",
            metadata: ["max_unauthenticated_per_source": "\(limits.maxUnauthenticatedPerSource)"])
        // Shared by both listeners: a source's handshakes in progress count together wherever they go.
        let unauthenticated = UnauthenticatedLimit(perSource: limits.maxUnauthenticatedPerSource) { sourceRefusals.record() }
        gateway.metrics.connectionsLimit.record(caps.agencies + caps.console)
        let store = self.store
        let logger = self.logger
        let log = try logRoutes()
        let router = agencyRouter(log: log)
        let cap = agencyConnectionCap
        let consoleCap = consoleConnectionCap
        let connections = ConnectionLimiter(limit: limits.maxConnectionsPerAgency)
        let rejections = CertificateRejectionAudit(store: store, logger: logger)
        let http = HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes, maxHeaderFieldCount: 100))
        let listen = configuration.listen
        let app = Application(
            router: router,
            server: .openSSL(http, contexts: trust.agencyContexts, connectionScope: { peer, body in await connections.scope(peer, body) },
                             connectionCap: cap, unauthenticatedLimit: unauthenticated, plaintextHandlers: { [RequestDeadlineHandler(deadline: .seconds(Int64(limits.requestTimeoutSeconds)))] },
                             rejectionObserver: { rejections.observe($0, fingerprint: $1, remote: $2, listener: "agencies") }),
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: "accord"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.notice("agency API listening", metadata: ["address": "\(listen.host):\(port)"])
                await onReady(.agencies, port)
            },
            logger: logger)

        try await recordStart()
        let push = PushService(gateway: gateway, trust: trust, settings: PushService.Settings(
            certificatesDirectory: configuration.certificatesDirectory, allowTLS12: configuration.allowTLS12,
            acceptsLapsedCRLs: configuration.crlExpiry == .useLast, horizon: TimeInterval(configuration.pushHorizonSeconds),
            pollInterval: .milliseconds(configuration.pushPollMilliseconds), factory: PrometheusMetricsFactory(registry: registry),
            logger: logger, now: now))
        var services: [any Service] = [
            StoreService(store: store, gateway: gateway, actor: "gateway"),
            // After the store, so that it stops first and its last records still reach the writer.
            rejections,
            RetentionService(gateway: gateway, logger: logger, interval: .seconds(60)),
            // After the store, so that it stops first: a push in flight still records its acknowledgement.
            push,
        ]
        if let shared = store as? PostgresStore {
            services.append(AgreementFollowerService(store: shared, gateway: gateway, logger: logger))
        }
        services.append(TrustWatchService(reloader: trust, interval: .seconds(configuration.trustCheckSeconds), warning: 7 * 86_400,
                                          factory: PrometheusMetricsFactory(registry: registry), logger: logger))
        if handleSignals {
            services.append(AgreementReloadService(gateway: gateway, trust: trust, directory: URL(fileURLWithPath: configuration.agreementsDirectory),
                                                   request: ActivationRequest(database: configuration.database), logger: logger))
        }
        let deadline = TimeAmount.seconds(Int64(limits.requestTimeoutSeconds))
        if let console = try consoleApplication(http: http, connectionCap: consoleCap, unauthenticatedLimit: unauthenticated,
                                                plaintextHandlers: { [RequestDeadlineHandler(deadline: deadline)] },
                                                rejectionObserver: { rejections.observe($0, fingerprint: $1, remote: $2, listener: "console") },
                                                onReady: onReady) {
            services.append(console)
        }
        if let operations = configuration.operationsListen {
            services.append(OperationsListener.application(address: operations, readiness: readinessChecks, limits: limits,
                                                           log: configuration.log.onOperationsListener ? log : nil, logger: logger) {
                await onReady(.operations, $0)
            })
        }
        if let witnessing = try witnessingService(log) { services.append(witnessing) }
        services.append(app)
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        // Below systemd's TimeoutStopSec (30 s), so a stuck client cannot turn a stop into a SIGKILL.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        let group = ServiceGroup(configuration: groupConfiguration)
        running.withLock { $0 = group }
        defer { running.withLock { $0 = nil } }
        try await group.run()
    }

    /// The gauges read from the database, set when `/metrics` is read so that a scrape sees
    /// them as they are and nothing polls the database between scrapes.
    static func recordStoreGauges(_ store: any GatewayStorage, metrics: GatewayMetrics, logger: Logger) async {
        do {
            metrics.checkpointAge.record(try await store.checkpointStatus().age(at: Date()))
            metrics.deliveriesHeld.record(try await store.deliveryCount(in: .held))
        } catch {
            logger.warning("cannot read the checkpoint age or held deliveries for /metrics", metadata: ["error": "\(error.code.rawValue)"])
        }
    }

    /// Shuts down as SIGTERM would: listeners stop accepting and finish in-flight requests,
    /// then the store writes `gateway.stopped` and a last checkpoint. `run` then returns.
    public func shutdown() async {
        guard let group = running.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
    }

    /// The console on its own listener, over the same TLS stack; operators authenticate with
    /// their certificates or, where configured, local accounts (docs/console.md).
    private func consoleApplication(
        http: HTTP1Channel.Configuration, connectionCap: ConnectionCap, unauthenticatedLimit: UnauthenticatedLimit,
        plaintextHandlers: @escaping @Sendable () -> [any ChannelHandler],
        rejectionObserver: @escaping OpenSSLServerChannel<HTTP1Channel>.RejectionObserver,
        onReady: @escaping @Sendable (Listener, Int) async -> Void
    ) throws -> (any Service)? {
        guard let listen = configuration.consoleListen, let tls = trust.consoleContexts else { return nil }
        var accounts: LocalAccounts?
        if let file = configuration.consoleAccounts {
            do throws(AccountsFileError) { accounts = try LocalAccounts(file: URL(fileURLWithPath: file)) } catch {
                throw GatewayStartupError("cannot load the console accounts: \(error)")
            }
            logger.notice("console accepts local accounts", metadata: ["file": "\(file)"])
        }
        let environment = ConsoleEnvironment(
            store: store, subjectKey: keys.subjectKey,
            auditVerifier: try NoteVerifier(name: configuration.auditOrigin, publicKey: keys.auditKey.publicKey),
            agreementsDirectory: URL(fileURLWithPath: configuration.agreementsDirectory),
            certificatesDirectory: URL(fileURLWithPath: configuration.certificatesDirectory),
            agreements: GatewayAgreementControl(gateway: gateway, directory: URL(fileURLWithPath: configuration.agreementsDirectory)),
            review: GatewayHeldReview(gateway: gateway),
            csrfSecret: try SecureRandom.bytes(32), accounts: accounts, trust: GatewayTrustControl(reloader: trust))
        let logger = self.logger
        return try ConsoleRoutes.application(
            environment: environment, tls: tls, address: .hostname(listen.host, port: listen.port), logger: logger,
            http: http, connectionCap: connectionCap, unauthenticatedLimit: unauthenticatedLimit, plaintextHandlers: plaintextHandlers, rejectionObserver: rejectionObserver,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? listen.port
                logger.notice("console listening", metadata: ["address": "\(listen.host):\(port)"])
                await onReady(.console, port)
            })
    }

    /// The set to start with: the one activated last, as the store recorded it, so that edits
    /// saved in the directory that nobody activated never come into force by a restart. Only
    /// a database that has recorded no set yet starts from the directory.
    private static func policyAtStart(stored: StoredAgreementSet?, directory: String, today: CalendarDate) throws(GatewayStartupError) -> ActivePolicy {
        guard let stored else {
            do { return try ActivePolicy(directory: URL(fileURLWithPath: directory), today: today, hashing: SHA256.Hasher.self) } catch {
                let problems = error.diagnostics.prefix(10).map { "\n  \($0)" }.joined()
                throw GatewayStartupError("the agreements in \(directory) do not load: \(error.reason)\(problems)")
            }
        }
        return try Gateway.policy(restoring: stored, today: today)
    }

    /// Writes `gateway.started`, and records the agreement set in force if the store does not
    /// have one yet. Runs the writer just long enough, since the service group is not up yet.
    private func recordStart() async throws {
        try await checkAuditKey()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.store.run() }
            let directory = URL(fileURLWithPath: configuration.agreementsDirectory)
            if try await store.latestAgreementSetDigest() == nil {
                // Nodes starting together on an empty database each get here; the store records
                // one set, and the others bring that one into force.
                let outcome = try await gateway.activateAgreements(from: directory, by: "gateway", onlyIfNoneRecorded: true)
                if case .rejected(let diagnostics) = outcome {
                    throw GatewayStartupError("the agreements do not validate: \(diagnostics.prefix(5).map(\.description).joined(separator: "; "))")
                }
            } else if let files = try? AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self),
                      AgreementSet.validate(files, today: CalendarDate(now())).0.map({ ActivePolicy($0).current.setDigest }) != gateway.policy.current.setDigest {
                logger.notice("the agreements directory differs from the set in force; it comes into force only when activated",
                              metadata: ["directory": "\(configuration.agreementsDirectory)", "in_force": "\(gateway.policy.current.setDigest)"])
            }
            await gateway.reconcileAgreements()
            _ = try await store.append([AuditRecord(
                event: .gatewayStarted, time: now(), actor: "gateway",
                details: ["listen": configuration.listen.description, "agreement_set": gateway.policy.current.setDigest,
                          "trust_sha256": await trust.current.digest,
                          "version": AccordVersion.current])])
            group.cancelAll()
        }
    }
}

extension GatewayServer {
    /// A gateway whose audit key does not sign the log's latest checkpoint would write a log no
    /// one could follow across the change: the key was replaced without a rotation.
    func checkAuditKey() async throws {
        guard let latest = try await store.latestCheckpoint(), let verifier = store.currentAuditVerifier else { return }
        do { _ = try Checkpoint.open(latest.note, verifier: verifier) } catch {
            throw GatewayStartupError("""
                \(configuration.certificatesDirectory)/gateway/signing-key.pem does not sign the audit log's latest checkpoint \
                (\(error)): the audit key was replaced without a rotation. Put the previous key back and run \
                'accord keys rotate audit', which records the change in the log so that it still verifies (docs/audit.md)
                """)
        }
    }
}

/// The version written into `gateway.started` and printed by `accord --version`.
public enum AccordVersion {
    public static let current = "0.6.0"
}
