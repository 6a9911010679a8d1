import AccordConsole
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import Synchronization

/// Sends requests straight to the console's router, in process: what HummingbirdTesting's
/// router mode does, without its dependency on AsyncHTTPClient, which would bring a second
/// TLS and crypto stack (swift-nio-ssl, BoringSSL) into the build.
struct RouterClient: Sendable {
    /// What the router answered.
    struct Response: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: ByteBuffer
    }

    let responder: Router<ConsoleRequestContext>.Responder
    let logger = Logger(label: "console-test")

    @discardableResult
    func execute<Value>(
        uri: String, method: HTTPRequest.Method, headers: HTTPFields = [:], body: ByteBuffer? = nil,
        _ check: (Response) async throws -> Value
    ) async throws -> Value {
        var headers = headers
        if let body { headers[.contentLength] = String(body.readableBytes) }
        let request = Request(
            head: .init(method: method, scheme: "https", authority: "localhost", path: uri, headerFields: headers),
            body: RequestBody(buffer: body ?? ByteBuffer()))
        let context = ConsoleRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: logger))
        let response: Hummingbird.Response
        do { response = try await responder.respond(to: request, context: context) } catch {
            response = Hummingbird.Response(status: .internalServerError)
        }
        let writer = CollectingWriter()
        try await response.body.write(writer)
        return try await check(Response(status: response.status, headers: response.headers, body: writer.box.collected.withLock { $0 }))
    }
}

/// Collects a response body.
private struct CollectingWriter: ResponseBodyWriter {
    final class Box: Sendable {
        let collected = Mutex(ByteBuffer())
    }

    let box = Box()

    func write(_ buffer: ByteBuffer) async throws {
        box.collected.withLock { _ = $0.writeImmutableBuffer(buffer) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
