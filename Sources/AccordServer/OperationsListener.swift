import AccordGateway
import AccordTLS
import AccordTLSHummingbird
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The operations listener: plain HTTP, no client certificate, serving `GET /livez` and
/// `GET /readyz` for the kubelet, systemd or a load balancer's health check
/// (docs/operations.md, "Monitoring"), and, where `log.on_operations_listener` asks, the audit
/// log's checkpoint and hash tiles for witnesses' and monitors' hosts (docs/audit.md).
///
/// It has no authentication, so it answers only what a probe needs: whether each check
/// passed, never an agency, a certificate subject or a count of traffic. `/metrics` stays on
/// the agency listener behind operator certificates: traffic by refusal code and agency-wide
/// counts describe how agencies use the gateway, which is for its operators alone.
enum OperationsListener {
    /// Connections open at once: a prober needs one or two; the rest of a flood is closed at
    /// accept, so it never holds more descriptors than this, and its idle ones go within 10 s.
    static let connectionLimit = 32

    /// `onReady` gets the bound port.
    static func application(
        address: GatewayConfiguration.Address, readiness: Readiness, limits: GatewayConfiguration.Limits, log: LogRoutes? = nil, logger: Logger,
        onReady: @escaping @Sendable (Int) async -> Void
    ) -> some Service {
        let router = Router()
        router.get("livez") { _, _ in
            // Answering at all is the proof: the process runs and its event loops serve.
            JSONResponse.make(["status": "ok"])
        }
        let changes = ReadinessChanges(logger: logger)
        router.get("readyz") { _, _ in
            let report = await readiness.evaluate()
            changes.observe(report)
            return JSONResponse.make(ReadinessBody(report), status: report.isReady ? .ok : .serviceUnavailable)
        }
        // The checkpoint and hash tiles hold hashes and the log's size, no entry: served here
        // only when `log.on_operations_listener` asks (docs/audit.md, "Tiles and proofs").
        log?.register(on: router.group("v1")) { _ in false }
        MethodNotAllowed.register("livez", allowing: [.get], on: router)
        MethodNotAllowed.register("readyz", allowing: [.get], on: router)
        // A probe sends a few hundred bytes and waits a second or so; nothing here needs more.
        let http = HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(min(limits.idleTimeoutSeconds, 10))),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 4_096, maxHeaderListSize: 8_192, maxHeaderFieldCount: 32))
        return Application(
            router: router, server: .http1(http, connectionCap: ConnectionCap(limit: connectionLimit)),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "accord"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.notice("operations listening (livez, readyz)", metadata: ["address": "\(address.host):\(port)"])
                await onReady(port)
            },
            logger: logger)
    }
}

/// Logs when readiness changes between probes, not at every probe: the kubelet's events say
/// only that a probe failed, and the log is where an operator looks for which check.
final class ReadinessChanges: Sendable {
    private let logger: Logger
    /// The failing checks at the last probe; nil before the first.
    private let last = Mutex<[String]?>(nil)

    init(logger: Logger) { self.logger = logger }

    func observe(_ report: Readiness.Report) {
        let failing = report.failing
        let previous = last.withLock { last in
            defer { last = failing }
            return last
        }
        guard previous != failing else { return }
        if failing.isEmpty {
            // The first probe of a healthy gateway is no news.
            if previous != nil { logger.notice("readiness changed: ready") }
        } else {
            let details = report.checks.filter { !$0.ok }.map { "\($0.name): \($0.detail)" }
            logger.warning("readiness changed: not ready", metadata: ["failing": "\(failing.joined(separator: ","))", "checks": "\(details)"])
        }
    }
}

/// `/readyz`'s answer: `status`, the names of failing checks, and every check's outcome.
struct ReadinessBody: Encodable {
    let status: String
    let failing: [String]
    let checks: [String: Readiness.Check]

    init(_ report: Readiness.Report) {
        status = report.isReady ? "ready" : "not-ready"
        failing = report.failing
        checks = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.name, $0) })
    }
}
