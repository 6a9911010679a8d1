import AccordAudit
public import AccordTLS
import AccordTLSHummingbird
import Foundation
import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `accord witness`: a C2SP tlog-witness over HTTPS (or, when told, plain HTTP). `POST /add-checkpoint` cosigns a
/// checkpoint of a log it follows only when it is a consistent extension of the last one it
/// cosigned for that log (docs/audit.md, "Running a witness").
public enum WitnessServer {
    /// Serves until SIGTERM or SIGINT, over TLS with `tls` (a server context, see `WitnessTLS`)
    /// and plain HTTP without; `onReady` gets the bound port.
    public static func run(
        ledger: WitnessLedger, host: String, port: Int, tls: TLSContext?, logger: Logger,
        onReady: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let router = Router()
        router.post("add-checkpoint") { request, _ in
            var request = request
            let body: ByteBuffer
            do { body = try await request.collectBody(upTo: AddCheckpointRequest.maximumBytes) } catch {
                return text(.contentTooLarge, "the request exceeds \(AddCheckpointRequest.maximumBytes) bytes\n")
            }
            let parsed: AddCheckpointRequest
            do { parsed = try AddCheckpointRequest(parsing: String(buffer: body)) } catch {
                return text(.badRequest, "\(error)\n")
            }
            let (decision, line) = try await ledger.add(parsed)
            return answer(decision, line: line, logger: logger)
        }
        router.get("livez") { _, _ in text(.ok, "ok\n") }
        let server: HTTPServerBuilder = tls.map { .openSSL(context: $0) } ?? .http1()
        let app = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "accord-witness"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                logger.notice("witness listening", metadata: ["address": "\(host):\(bound)", "scheme": "\(tls == nil ? "http" : "https")"])
                await onReady(bound)
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    static func answer(_ decision: WitnessDecision, line: String?, logger: Logger) -> Response {
        switch decision {
        case .cosign(let checkpoint):
            logger.info("cosigned", metadata: ["origin": "\(checkpoint.origin)", "size": "\(checkpoint.size)"])
            return text(.ok, line ?? "")
        case .conflict(let size):
            var response = text(.conflict, "\(size)\n")
            response.headers[.contentType] = "text/x.tlog.size"
            return response
        case .unknownLog(let reason):
            logger.warning("refused: unknown log", metadata: ["reason": "\(reason)"])
            return text(.notFound, reason + "\n")
        case .forbidden(let reason):
            logger.warning("refused: not signed by the log", metadata: ["reason": "\(reason)"])
            return text(.forbidden, reason + "\n")
        case .inconsistent(let reason):
            logger.critical("refused: not a consistent extension", metadata: ["reason": "\(reason)"])
            return text(.unprocessableContent, reason + "\n")
        case .badRequest(let reason):
            logger.warning("refused: bad request", metadata: ["reason": "\(reason)"])
            return text(.badRequest, reason + "\n")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
