public import NIOCore

/// A SwiftNIO handler that speaks TLS through OpenSSL over memory BIOs: ciphertext in from
/// the network, plaintext out to the next handler, and the reverse on writes.
///
/// Writes are gathered until flush and encrypted together, so a response written in parts
/// (head, body, end) goes out in as few TLS records as its size allows, rather than a record
/// per part. Writes made before the handshake completes are held and sent after it. A failed handshake
/// flushes OpenSSL's alert to the peer before closing, so the client learns why. close_notify
/// is sent on close (and on closing output, for a half-closed connection) and answered when the
/// peer sends one. A handshake that does not finish in time closes the connection.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        /// Application data flows both ways.
        case active
        /// Our close_notify is sent and the TCP output shut; the peer may still send.
        case outputClosed
        case idle, handshaking, closing, closed
    }

    private var state = State.idle
    private let connection: TLSConnection
    private let handshakePromise: EventLoopPromise<TLSPeer>
    /// Plaintext written since the last flush (or held for the handshake), and its promises.
    private var pendingPlaintext: ByteBuffer?
    private var pendingPromises: [EventLoopPromise<Void>] = []
    /// A flush arrived during the handshake; honoured once it completes.
    private var flushHeld = false
    private var handshakeTimer: Scheduled<Void>?

    /// Completes with the verified peer once the handshake succeeds, or fails with a `TLSError`.
    public var handshakeFuture: EventLoopFuture<TLSPeer> { handshakePromise.futureResult }

    public init(context: TLSContext, eventLoop: any EventLoop) throws(TLSError) {
        connection = try TLSConnection(context: context)
        handshakePromise = eventLoop.makePromise(of: TLSPeer.self)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        fail(TLSError(.uncleanShutdown, "the TLS handler was removed before the connection ended"))
    }

    public func channelActive(context: ChannelHandlerContext) {
        // Fired before the handshake starts, so that if the handshake closes the channel at
        // once, the handlers above see active before inactive.
        context.fireChannelActive()
        startHandshake(context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        fail(TLSError(.uncleanShutdown, "the peer closed the connection during the TLS handshake"))
        state = .closed
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // With remote half-closure allowed (as Hummingbird's HTTP server allows it), a peer's
        // FIN arrives as an event rather than closing the channel; during the handshake it
        // can only mean the peer has gone, so close now instead of at the handshake timeout.
        if let event = event as? ChannelEvent, event == .inputClosed, state == .idle || state == .handshaking {
            abort(context: context, TLSError(.closedBeforeHandshake, "the peer closed the connection before the TLS handshake finished"))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.feed(unwrapInboundIn(data))
        switch state {
        case .handshaking: advanceHandshake(context: context)
        case .active, .outputClosed, .closing: readApplicationData(context: context)
        case .idle, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // During the handshake nothing was delivered above; readApplicationData fires its own.
        if state == .active || state == .outputClosed { context.fireChannelReadComplete() }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking, .active:
            if pendingPlaintext == nil {
                pendingPlaintext = buffer
            } else {
                pendingPlaintext!.writeImmutableBuffer(buffer)
            }
            if let promise { pendingPromises.append(promise) }
        case .outputClosed:
            promise?.fail(ChannelError.outputClosed)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .active: flushPending(context: context)
        case .idle, .handshaking: flushHeld = true
        case .outputClosed, .closing, .closed: context.flush()
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (mode, state) {
        case (.all, .active), (.all, .outputClosed):
            if state == .active {
                // Writes not yet flushed are dropped, as NIO does on close.
                failPending(ChannelError.ioOnClosedChannel)
                connection.shutdown()
                sendOutput(context: context)
            }
            state = .closing
            context.close(mode: .all, promise: promise)
        case (.output, .active):
            // Half closure (Hummingbird's NIOAsyncChannel closes output when a response ends
            // the connection): close_notify tells the peer the stream ended rather than was cut.
            flushPending(context: context)
            state = .outputClosed
            connection.shutdown()
            sendOutput(context: context)
            context.close(mode: .output, promise: promise)
        default:
            context.close(mode: mode, promise: promise)
        }
    }

    // MARK: handshake

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        let timeout = connection.context.configuration.handshakeTimeout
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
            guard let self, self.state == .handshaking else { return }
            self.abort(context: context, TLSError(.handshakeTimeout, "the TLS handshake did not finish within \(timeout.nanoseconds / 1_000_000) ms"))
        }
        advanceHandshake(context: context)
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        switch connection.handshake() {
        case .needMoreData:
            sendOutput(context: context)
            // The handshake asks for its own bytes: with autoRead off, or with the layer above
            // applying backpressure, no one else would, and nothing above is waiting on data yet.
            context.read()
        case .failed(let error):
            // Send the alert OpenSSL queued, then close.
            sendOutput(context: context)
            abort(context: context, error)
        case .complete:
            handshakeTimer?.cancel()
            sendOutput(context: context)
            let certificate = connection.peerCertificate
            if certificate == nil, !connection.context.acceptsAnonymousPeers {
                abort(context: context, TLSError(.peerCertificateRejected, "the peer presented no certificate"))
                return
            }
            let peer = TLSPeer(
                certificate: certificate, identity: certificate.flatMap(TLSPeer.Identity.init(certificate:)),
                protocolVersion: connection.negotiatedVersion, applicationProtocol: connection.negotiatedProtocol
            )
            state = .active
            handshakePromise.succeed(peer)
            context.fireUserInboundEventTriggered(peer)
            if flushHeld {
                flushHeld = false
                flushPending(context: context)
            }
            readApplicationData(context: context)
        }
    }

    // MARK: data

    private func readApplicationData(context: ChannelHandlerContext) {
        var delivered = false
        reading: while state == .active || state == .outputClosed || state == .closing {
            switch connection.read(allocator: context.channel.allocator) {
            case .data(let buffer):
                delivered = true
                context.fireChannelRead(wrapInboundOut(buffer))
            case .needMoreData:
                break reading
            case .closeNotify:
                // Answer the peer's close_notify with ours, then close.
                if state == .active || state == .outputClosed {
                    if state == .active {
                        connection.shutdown()
                        sendOutput(context: context)
                    }
                    state = .closing
                    context.close(promise: nil)
                }
                break reading
            case .failed(let error):
                sendOutput(context: context)  // the alert OpenSSL queued
                abort(context: context, error)
                break reading
            }
        }
        // Reading can make OpenSSL answer (a TLS 1.3 KeyUpdate, for one); send that now rather
        // than leave it until the application next writes.
        if state == .active { sendOutput(context: context) }
        if delivered { context.fireChannelReadComplete() }
    }

    /// Encrypts everything written since the last flush in one go and flushes it to the network.
    private func flushPending(context: ChannelHandlerContext) {
        let promises = pendingPromises
        pendingPromises = []
        let plaintext = pendingPlaintext
        pendingPlaintext = nil
        var promise: EventLoopPromise<Void>? = nil
        if !promises.isEmpty {
            let combined = context.eventLoop.makePromise(of: Void.self)
            for each in promises { combined.futureResult.cascade(to: each) }
            promise = combined
        }
        if let plaintext {
            do {
                try connection.write(plaintext)
            } catch {
                promise?.fail(error)
                abort(context: context, error)
                return
            }
        }
        if let output = connection.takeOutput(allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(output), promise: promise)
        } else {
            promise?.succeed()
        }
        context.flush()
    }

    private func failPending(_ error: any Error) {
        let promises = pendingPromises
        pendingPromises = []
        pendingPlaintext = nil
        for promise in promises { promise.fail(error) }
    }

    private func sendOutput(context: ChannelHandlerContext) {
        if let output = connection.takeOutput(allocator: context.channel.allocator) {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        }
    }

    private func abort(context: ChannelHandlerContext, _ error: TLSError) {
        guard state != .closed else { return }
        state = .closed
        handshakeTimer?.cancel()
        fail(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    /// Fails the handshake (a no-op once it has succeeded: NIO ignores a second completion)
    /// and any writes not yet sent.
    private func fail(_ error: TLSError) {
        handshakePromise.fail(error)
        failPending(error)
    }
}

@available(*, unavailable)
extension OpenSSLHandler: Sendable {}
