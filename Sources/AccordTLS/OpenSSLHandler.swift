public import NIOCore

/// A SwiftNIO handler that speaks TLS through OpenSSL over memory BIOs: ciphertext in from
/// the network, plaintext out to the next handler, and the reverse on writes.
///
/// Writes made before the handshake completes are held and sent after it. A failed handshake
/// flushes OpenSSL's alert to the peer before closing, so the client learns why. close_notify
/// is sent on close and answered when the peer sends one. A handshake that does not finish in
/// time closes the connection.
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle, handshaking, active, closing, closed
    }

    private var state = State.idle
    private let connection: TLSConnection
    private let handshakePromise: EventLoopPromise<TLSPeer>
    private var heldWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
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
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handshakeTimer?.cancel()
        if state == .handshaking || state == .idle {
            fail(TLSError(.uncleanShutdown, "the peer closed the connection during the TLS handshake"))
        } else {
            fail(TLSError(.uncleanShutdown, "the connection closed"))
        }
        state = .closed
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection.feed(unwrapInboundIn(data))
        switch state {
        case .handshaking: advanceHandshake(context: context)
        case .active, .closing: readApplicationData(context: context)
        case .idle, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        if state == .active { context.fireChannelReadComplete() }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking:
            heldWrites.append((buffer, promise))
        case .active:
            encrypt(buffer, context: context, promise: promise)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        if state == .active { context.flush() } else { flushHeld = true }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all, state == .active else {
            context.close(mode: mode, promise: promise)
            return
        }
        state = .closing
        connection.shutdown()
        sendOutput(context: context)
        context.close(mode: .all, promise: promise)
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
            // The HTTP layer above reads with backpressure and is not set up until the
            // handshake completes, so the handshake asks for its own bytes.
            context.read()
        case .failed(let error):
            // Send the alert OpenSSL queued, then close.
            sendOutput(context: context)
            abort(context: context, error)
        case .complete:
            handshakeTimer?.cancel()
            sendOutput(context: context)
            guard let certificate = connection.peerCertificate else {
                abort(context: context, TLSError(.peerCertificateRejected, "the peer presented no certificate"))
                return
            }
            let peer = TLSPeer(
                certificate: certificate, identity: TLSPeer.Identity(certificate: certificate),
                protocolVersion: connection.negotiatedVersion, applicationProtocol: connection.negotiatedProtocol
            )
            state = .active
            handshakePromise.succeed(peer)
            context.fireUserInboundEventTriggered(peer)
            let held = heldWrites
            heldWrites = []
            for (buffer, promise) in held { encrypt(buffer, context: context, promise: promise) }
            if flushHeld || !held.isEmpty {
                flushHeld = false
                context.flush()
            }
            readApplicationData(context: context)
        }
    }

    // MARK: data

    private func readApplicationData(context: ChannelHandlerContext) {
        var delivered = false
        reading: while state == .active || state == .closing {
            switch connection.read(allocator: context.channel.allocator) {
            case .data(let buffer):
                delivered = true
                context.fireChannelRead(wrapInboundOut(buffer))
            case .needMoreData:
                break reading
            case .closeNotify:
                // Answer the peer's close_notify with ours, then close.
                if state == .active {
                    state = .closing
                    connection.shutdown()
                    sendOutput(context: context)
                    context.close(promise: nil)
                }
                break reading
            case .failed(let error):
                abort(context: context, error)
                break reading
            }
        }
        if delivered { context.fireChannelReadComplete() }
    }

    private func encrypt(_ buffer: ByteBuffer, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        do {
            try connection.write(buffer)
        } catch {
            promise?.fail(error)
            abort(context: context, error)
            return
        }
        if let output = connection.takeOutput(allocator: context.channel.allocator) {
            context.write(wrapOutboundOut(output), promise: promise)
        } else {
            promise?.succeed()
        }
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

    private func fail(_ error: TLSError) {
        handshakePromise.fail(error)
        let held = heldWrites
        heldWrites = []
        for (_, promise) in held { promise?.fail(error) }
    }
}

@available(*, unavailable)
extension OpenSSLHandler: Sendable {}
