import AccordTLS
import NIOCore
import NIOHTTP1
import Synchronization

/// One request and the promise its response completes; written to the channel from any thread.
struct HTTPExchange: Sendable {
    let head: HTTPRequestHead
    let body: [UInt8]?
    let promise: EventLoopPromise<HTTPClientResponse>
}

/// Why a connection stopped serving requests, readable from any thread: the first reason
/// recorded wins, so a TLS alert is not hidden by the close that follows it.
final class ConnectionFailure: Sendable {
    private let reason = Mutex<AccordClientError?>(nil)

    var current: AccordClientError? { reason.withLock { $0 } }

    /// Records `error` unless a reason is already known; returns the reason in force.
    @discardableResult
    func record(_ error: AccordClientError) -> AccordClientError {
        reason.withLock { current in
            if let current { return current }
            current = error
            return error
        }
    }
}

/// Runs exchanges one at a time over an HTTP/1.1 pipeline. A request is written only once
/// the previous response has ended, so concurrent callers queue here in order and requests
/// never pipeline. Once anything fails (TLS, a malformed response, a timeout, the server
/// closing, `Connection: close`), every outstanding and later exchange fails with that
/// reason and the channel is closed: an HTTP/1.1 stream cannot be resynchronised.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private let failure: ConnectionFailure
    private let requestTimeout: TimeAmount
    private let maximumBodySize: Int

    private var queue = CircularBuffer<HTTPExchange>()
    // INVARIANT: `current` is the only exchange whose request has been written; its response
    // is the next one the decoder delivers.
    private var current: HTTPExchange?
    private var responseHead: HTTPResponseHead?
    private var responseBody: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var failed = false

    init(failure: ConnectionFailure, requestTimeout: TimeAmount, maximumBodySize: Int) {
        self.failure = failure
        self.requestTimeout = requestTimeout
        self.maximumBodySize = maximumBodySize
    }

    // MARK: outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        if failed {
            let reason = failure.record(AccordClientError(.connectionClosed, "the connection is closed"))
            exchange.promise.fail(reason)
            promise?.fail(reason)
            return
        }
        queue.append(exchange)
        promise?.succeed()
        startNext(context: context)
    }

    func flush(context: ChannelHandlerContext) {
        // Exchanges flush their own request when they start.
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all {
            fail(AccordClientError(.connectionClosed, "the connection was closed by this client"))
        }
        context.close(mode: mode, promise: promise)
    }

    private func startNext(context: ChannelHandlerContext) {
        guard current == nil, !failed, let exchange = queue.popFirst() else { return }
        current = exchange
        responseHead = nil
        responseBody = nil
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body, !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [weak self] error in
            self?.fail(AccordClientError(.connectionClosed, "the request could not be sent: \(error)"), context: context)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        let timeout = requestTimeout
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            self?.fail(AccordClientError(.timeout, "no complete response within \(timeout.nanoseconds / 1_000_000) ms"), context: context)
        }
    }

    // MARK: inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard current != nil, responseHead == nil else {
                fail(AccordClientError(.malformedResponse, "the server sent a response with no request outstanding"), context: context)
                return
            }
            responseHead = head
        case .body(let part):
            guard responseHead != nil else { return }
            let size = (responseBody?.readableBytes ?? 0) + part.readableBytes
            guard size <= maximumBodySize else {
                fail(AccordClientError(.responseTooLarge, "the response body exceeds the limit of \(maximumBodySize) bytes"), context: context)
                return
            }
            if responseBody == nil { responseBody = part } else { responseBody!.writeImmutableBuffer(part) }
        case .end:
            guard let exchange = current, let head = responseHead else { return }
            timer?.cancel()
            timer = nil
            current = nil
            responseHead = nil
            let body = responseBody.map { Array($0.readableBytesView) } ?? []
            responseBody = nil
            let response = HTTPClientResponse(
                status: Int(head.status.code), headers: head.headers.map { (name: $0.name, value: $0.value) }, body: body
            )
            exchange.promise.succeed(response)
            if head.isKeepAlive {
                startNext(context: context)
            } else {
                fail(AccordClientError(.connectionClosed, "the server ended the connection after a response (Connection: close)"), context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: AccordClientError
        switch error {
        case let tls as TLSError:
            reason = AccordClientError(.tlsFailed, tls.message, tlsCode: tls.code)
        case let parser as HTTPParserError where parser == .invalidEOFState:
            reason = AccordClientError(.connectionClosed, "the server closed the connection in the middle of a response")
        case let parser as HTTPParserError:
            reason = AccordClientError(.malformedResponse, "the response is not valid HTTP/1.1 (\(parser))")
        default:
            reason = AccordClientError(.connectionClosed, "the connection failed: \(error)")
        }
        fail(reason, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let during = current == nil ? "" : " before the response ended"
        fail(AccordClientError(.connectionClosed, "the server closed the connection\(during)"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(AccordClientError(.connectionClosed, "the connection was torn down"))
    }

    // MARK: failure

    /// Fails every outstanding exchange with the connection's first failure and closes.
    private func fail(_ error: AccordClientError, context: ChannelHandlerContext) {
        let wasFailed = failed
        fail(error)
        if !wasFailed { context.close(promise: nil) }
    }

    private func fail(_ error: AccordClientError) {
        let reason = failure.record(error)
        guard !failed else { return }
        failed = true
        timer?.cancel()
        timer = nil
        current?.promise.fail(reason)
        current = nil
        while let exchange = queue.popFirst() { exchange.promise.fail(reason) }
    }
}

@available(*, unavailable)
extension HTTPExchangeHandler: Sendable {}
