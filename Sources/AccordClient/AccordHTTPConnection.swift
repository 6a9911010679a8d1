public import AccordTLS
public import NIOCore
import NIOHTTP1
public import NIOPosix

/// One mutually authenticated HTTP/1.1 keep-alive connection to an Accord gateway, for
/// `accord send`, `accord inbox`, the demo and load generation.
///
/// `connect` returns once the TLS handshake has verified the server (`peer`). Requests run
/// one at a time in the order they are made: concurrent callers queue and never pipeline,
/// so for parallel load open several connections. After any failure (TLS, timeout, a
/// malformed response, the server closing or answering `Connection: close`) the connection
/// is closed and every later request fails with the same `AccordClientError`; open a new one.
///
/// With TLS 1.3 the server verifies the client's certificate only after the client's side
/// of the handshake is done, so a server that refuses this client's certificate is seen on
/// the first request: `AccordClientError.Code.tlsFailed` with `tlsCode == .refusedByPeer`.
public final class AccordHTTPConnection: Sendable {
    /// The server, as verified in the handshake.
    public let peer: TLSPeer
    private let channel: any Channel
    private let failure: ConnectionFailure
    /// The Host header sent unless the caller gives one.
    private let authority: String

    private init(peer: TLSPeer, channel: any Channel, failure: ConnectionFailure, authority: String) {
        self.peer = peer
        self.channel = channel
        self.failure = failure
        self.authority = authority
    }

    deinit { channel.close(promise: nil) }

    /// Connects to `host:port`, completes the TLS handshake with `context` (a client context,
    /// e.g. `TLSContext.agencyClient`), and returns the connection ready for requests.
    ///
    /// - Parameters:
    ///   - connectTimeout: for the TCP connection; the handshake has the context's own timeout.
    ///   - requestTimeout: from writing a request to the end of its response.
    ///   - maximumResponseBodySize: a larger response body fails the request and the connection.
    public static func connect(
        host: String, port: Int, context: TLSContext,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: TimeAmount = .seconds(10), requestTimeout: TimeAmount = .seconds(30),
        maximumResponseBodySize: Int = 64 << 20
    ) async throws(AccordClientError) -> AccordHTTPConnection {
        guard case .client = context.configuration.role else {
            throw AccordClientError(.handshakeFailed, "the TLS context is a server context; use a client context", tlsCode: .configuration)
        }
        let eventLoop = eventLoopGroup.next()
        let handshake = eventLoop.makePromise(of: TLSPeer.self)
        let failure = ConnectionFailure()
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try OpenSSLHandler(context: context, eventLoop: channel.eventLoop)
                    tls.handshakeFuture.cascade(to: handshake)
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(tls)
                    try operations.addHTTPClientHandlers()
                    try operations.addHandler(HTTPExchangeHandler(
                        failure: failure, requestTimeout: requestTimeout, maximumBodySize: maximumResponseBodySize
                    ))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            let reason = AccordClientError(.connectFailed, "cannot connect to \(host) port \(port): \(error)")
            handshake.fail(reason)
            throw reason
        }
        let peer: TLSPeer
        do {
            peer = try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            if let tls = error as? TLSError {
                throw AccordClientError(.handshakeFailed, tls.message, tlsCode: tls.code)
            }
            throw AccordClientError(.handshakeFailed, "the TLS handshake with \(host) port \(port) failed: \(error)")
        }
        let authority = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return AccordHTTPConnection(peer: peer, channel: channel, failure: failure, authority: authority)
    }

    /// Whether the connection can still carry requests.
    public var isOpen: Bool { channel.isActive && failure.current == nil }

    /// Sends one request and returns the complete response. `path` is the request target
    /// (path and query). `Host` is added unless given; `Content-Length` is set from `body`
    /// (zero for a method that normally carries a body when `body` is nil) unless given.
    public func request(
        method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws(AccordClientError) -> HTTPClientResponse {
        let head = try Self.head(method: method, path: path, headers: headers, body: body, authority: authority)
        let promise = channel.eventLoop.makePromise(of: HTTPClientResponse.self)
        let failure = self.failure
        channel.writeAndFlush(HTTPExchange(head: head, body: body, promise: promise)).whenFailure { error in
            // The channel was closed before the exchange reached the handler.
            promise.fail(failure.record(AccordClientError(.connectionClosed, "the connection is closed")))
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as AccordClientError {
            throw error
        } catch {
            throw AccordClientError(.connectionClosed, "the request failed: \(error)")
        }
    }

    /// Sends close_notify and closes the connection; requests still queued fail with
    /// `connectionClosed`. Safe to call more than once.
    public func close() async {
        try? await channel.close()
        try? await channel.closeFuture.get()
    }

    // MARK: request head

    private static let methodsWithBody: Set<String> = ["POST", "PUT", "PATCH"]

    static func head(
        method: String, path: String, headers: [(String, String)], body: [UInt8]?, authority: String
    ) throws(AccordClientError) -> HTTPRequestHead {
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw AccordClientError(.invalidRequest, "the method is not an HTTP token")
        }
        guard path.hasPrefix("/"), path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw AccordClientError(.invalidRequest, "the path must start with '/' and hold only visible ASCII (percent-encode the rest)")
        }
        var fields = HTTPHeaders()
        for (index, (name, value)) in headers.enumerated() {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw AccordClientError(.invalidRequest, "header field \(index + 1): the name is not an HTTP token")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw AccordClientError(.invalidRequest, "header field \(index + 1) (\(name)): the value holds CR, LF or NUL")
            }
            fields.add(name: name, value: value)
        }
        if !fields.contains(name: "host") { fields.add(name: "host", value: authority) }
        if !fields.contains(name: "content-length"), !fields.contains(name: "transfer-encoding"),
           body != nil || methodsWithBody.contains(method.uppercased()) {
            fields.add(name: "content-length", value: String(body?.count ?? 0))
        }
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: fields)
    }

    /// RFC 9110 section 5.6.2 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
