import AccordCore
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordPolicyFiles
import AccordServer
import AccordTLS
import Dispatch
import Foundation
import FuzzShared
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization

/// A real gateway for the fuzz target: the shipped agreements, a development PKI and a SQLite
/// database under `FuzzTesting/.build/fuzz-http/` (made afresh each run), running with its
/// store's writer so that requests reach the store, and its agency router built for driving
/// in process. The peers are what a handshake would have verified.
final class GatewayHarness: Sendable {
    /// What the router made of one request.
    enum Answer {
        case response(HTTPResponse.Status, contentType: String?, body: String)
        case thrown(String)
    }

    static let shared = GatewayHarness()

    let responder: Router<GatewayRequestContext>.Responder
    let peers: [TLSPeer?]
    let decoderLimits: NIOHTTPDecoderLimitConfiguration
    private let server: GatewayServer
    private let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }

    private init() {
        let directory = URL(fileURLWithPath: FuzzInput.repositoryRoot + "/FuzzTesting/.build/fuzz-http")
        try? FileManager.default.removeItem(at: directory)
        do {
            let agreements = URL(fileURLWithPath: FuzzInput.repositoryRoot + "/Agreements")
            let set = try ActivePolicy(directory: agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self).current.policy.set
            let pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
            let agencies = set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }.sorted { $0.id < $1.id }
            _ = try pki.ensure(agencies: agencies, operators: DevelopmentPKI.Operator.development)
            var configuration = GatewayConfiguration()
            configuration.listen = .init(host: "127.0.0.1", port: 0)
            configuration.agreementsDirectory = agreements.path
            configuration.certificatesDirectory = pki.directory.path
            configuration.database = directory.appendingPathComponent("accord.sqlite").path
            let server = try GatewayServer(configuration: configuration, logger: logger)
            self.server = server
            responder = try server.agencyRouter().buildResponder()
            func peer(_ file: URL) throws -> TLSPeer {
                TLSPeer(verified: try Certificate(pem: String(contentsOf: file, encoding: .utf8)))
            }
            peers = [nil] + (try agencies.prefix(3).map { try peer(pki.agencyTLSCertificate($0.id)) })
                + [try peer(pki.operatorCertificate("auditor"))]
            let limits = configuration.limits
            var decoder = NIOHTTPDecoderLimitConfiguration()
            decoder.maxHeaderFieldSize = limits.maxHeaderBytes
            decoder.maxHeaderListSize = limits.maxHeaderBytes
            decoder.maxHeaderFieldCount = 100
            decoderLimits = decoder
        } catch {
            fatalError("the fuzz gateway could not be set up: \(error)")
        }
        // The gateway runs for the life of the process (its listener is bound to a free port and
        // never used): its store's writer commits what the routes submit.
        let ready = DispatchSemaphore(value: 0)
        let server = self.server
        Task.detached { try await server.run(handleSignals: false) { _, _ in ready.signal() } }
        ready.wait()
    }

    /// The router's answer to `request` from `peer`, waited for on this thread: libFuzzer
    /// calls the target synchronously.
    func respond(to request: Request, as peer: TLSPeer?) -> Answer {
        let done = DispatchSemaphore(value: 0)
        let answer = Mutex<Answer?>(nil)
        let (responder, logger) = (self.responder, self.logger)
        Task.detached {
            // Only read for its allocator and addresses; the async testing channel may be used
            // from any thread, and is finished after, or it outlives the request.
            let channel = NIOAsyncTestingChannel()
            let result: Answer = await TLSPeer.$current.withValue(peer) {
                let context = GatewayRequestContext(source: .init(channel: channel, logger: logger))
                do {
                    let response = try await responder.respond(to: request, context: context)
                    let body = BodyCollector()
                    try await response.body.write(body)
                    return .response(response.status, contentType: response.headers[.contentType],
                                     body: String(decoding: body.bytes.withLock { $0 }, as: UTF8.self))
                } catch let error as HTTPError where error.status.code < 500 {
                    // The router's own not-found, before any route or middleware runs.
                    return .response(error.status, contentType: nil, body: "")
                } catch {
                    return .thrown("\(error)")
                }
            }
            _ = try? await channel.finish()
            answer.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 }!
    }
}

/// Collects a response body.
private final class BodyCollector: ResponseBodyWriter, Sendable {
    let bytes = Mutex<[UInt8]>([])

    func write(_ buffer: ByteBuffer) async throws {
        bytes.withLock { $0 += buffer.readableBytesView }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
