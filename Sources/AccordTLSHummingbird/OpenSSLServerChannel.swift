public import AccordCrypto
public import AccordTLS
public import HummingbirdCore
public import Logging
public import NIOCore

/// Wraps a Hummingbird child channel (HTTP/1.1) in OpenSSL TLS: the client certificate is
/// verified in the handshake, no HTTP is read before the handshake completes, and the verified
/// `TLSPeer` is bound to `TLSPeer.current` for every request on the connection.
public struct OpenSSLServerChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The child channel with its handshake under way.
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        /// Completes, once the handshake succeeds, with the verified peer and the base channel
        /// set up; fails if the handshake fails.
        public let established: EventLoopFuture<(peer: TLSPeer, base: Base.Value)>
        /// Read at accept: once a refused handshake has closed the channel, it has no address.
        public let remoteAddress: SocketAddress?
    }

    /// Wraps the handling of one verified connection, from its first request to its close:
    /// the server counts connections per agency with it.
    public typealias ConnectionScope = @Sendable (TLSPeer, @Sendable () async -> Void) async -> Void

    /// Told of every client certificate refused in a handshake: why, the certificate's
    /// SHA-256 fingerprint (when it sent one) and where the connection came from.
    public typealias RejectionObserver = @Sendable (CertificateRejection, _ fingerprint: String?, _ remote: SocketAddress?) -> Void

    public let base: Base
    /// Where each new connection takes its TLS context from.
    public let contexts: TLSContextHolder
    public let connectionScope: ConnectionScope?
    /// Checked at accept, before TLS: a connection over it is closed at once.
    public let connectionCap: ConnectionCap?
    /// Checked at accept too: a source already holding this many connections that have not
    /// authenticated gets no more until one of them does or closes.
    public let unauthenticatedLimit: UnauthenticatedLimit?
    /// Handlers placed between TLS and the base protocol, seeing plaintext bytes (a request
    /// deadline, say), made afresh for each connection.
    public let plaintextHandlers: @Sendable () -> [any ChannelHandler]
    public let rejectionObserver: RejectionObserver?

    public init(
        _ base: Base, contexts: TLSContextHolder, connectionScope: ConnectionScope? = nil, connectionCap: ConnectionCap? = nil,
        unauthenticatedLimit: UnauthenticatedLimit? = nil,
        plaintextHandlers: @escaping @Sendable () -> [any ChannelHandler] = { [] }, rejectionObserver: RejectionObserver? = nil
    ) {
        self.base = base
        self.contexts = contexts
        self.connectionScope = connectionScope
        self.connectionCap = connectionCap
        self.unauthenticatedLimit = unauthenticatedLimit
        self.plaintextHandlers = plaintextHandlers
        self.rejectionObserver = rejectionObserver
    }

    /// Adds the TLS handler and returns at once; the base channel is set up when the handshake
    /// succeeds.
    ///
    /// The future returned here must not wait for the peer: NIO registers an accepted channel
    /// with its event loop, and so activates it and starts reading, only once the child
    /// initializer's future completes, so waiting here for a handshake that needs those reads
    /// would never finish. The handshake is awaited in `handle` instead.
    ///
    /// The base channel is set up only after the handshake, so a refused peer never gets an
    /// HTTP pipeline (and leaves no unfinished NIOAsyncChannel behind). Its handlers are in
    /// place before any application data is read: the handler completes the handshake promise
    /// on the event loop before it decrypts, and NIO runs the callbacks of a promise completed
    /// on its own event loop synchronously, so `base.setup` runs inside that completion.
    ///
    /// A connection over the `connectionCap` is closed here, before the TLS handler (and its
    /// SSL object) exists. A failed future is dropped by NIO's accept loop without registering
    /// the channel, so a channel whose setup fails is closed here too: otherwise its socket would
    /// stay open, and counted, for ever.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        // The source first: a flooding host's refusals then never count against the cap.
        let slot: UnauthenticatedLimit.Slot?
        if let unauthenticatedLimit {
            guard let admitted = unauthenticatedLimit.admit(channel) else {
                return channel.eventLoop.makeFailedFuture(TLSError(
                    .sourceLimitReached, "this address already holds \(unauthenticatedLimit.perSource) connections that have not authenticated"))
            }
            slot = admitted
        } else {
            slot = nil
        }
        if let connectionCap, !connectionCap.admit(channel) {
            return channel.eventLoop.makeFailedFuture(TLSError(
                .connectionCapReached, "\(connectionCap.limit) connections are open, the most this gateway accepts"))
        }
        let context = contexts.current
        let base = self.base
        let plaintextHandlers = self.plaintextHandlers
        let value = channel.eventLoop.makeCompletedFuture {
            let handler = try OpenSSLHandler(context: context, eventLoop: channel.eventLoop)
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.pipeline.syncOperations.addHandlers(plaintextHandlers())
            let established = handler.handshakeFuture.flatMap { peer in
                // A verified certificate authenticates; a console client without one stays counted.
                if peer.certificate != nil { slot?.release() }
                return base.setup(channel: channel, logger: logger).map { (peer: peer, base: $0) }
            }
            return Value(channel: channel, established: established, remoteAddress: channel.remoteAddress)
        }
        value.whenFailure { _ in channel.close(promise: nil) }
        return value
    }

    public func handle(value: Value, logger: Logger) async {
        let peer: TLSPeer
        let baseValue: Base.Value
        do {
            (peer, baseValue) = try await value.established.get()
        } catch {
            // The handler has already sent its alert and closed the channel. A peer that left
            // before the handshake (a health probe, every 30 s) is routine: debug, not notice.
            let tlsError = error as? TLSError
            let routine = tlsError?.code == .closedBeforeHandshake
            logger.log(level: routine ? .debug : .notice, "TLS connection refused", metadata: [
                "reason": "\(error)", "peer": "\(value.remoteAddress.map { "\($0)" } ?? "unknown")",
            ])
            if let rejection = tlsError?.certificateRejection {
                rejectionObserver?(rejection, tlsError?.certificateFingerprint, value.remoteAddress)
            }
            try? await value.channel.close()
            return
        }
        var logger = logger
        logger[metadataKey: "peer"] = "\(peer.identity.map { "\($0)" } ?? "unidentified")"
        let base = self.base
        let connectionLogger = logger
        await TLSPeer.$current.withValue(peer) {
            if let connectionScope {
                await connectionScope(peer) { await base.handle(value: baseValue, logger: connectionLogger) }
            } else {
                await base.handle(value: baseValue, logger: logger)
            }
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over OpenSSL TLS with mutual authentication.
    /// `connectionCap`, shared by listeners, bounds the connections they hold open together.
    public static func openSSL(
        _ configuration: HTTP1Channel.Configuration = .init(), contexts: TLSContextHolder,
        connectionScope: OpenSSLServerChannel<HTTP1Channel>.ConnectionScope? = nil, connectionCap: ConnectionCap? = nil,
        unauthenticatedLimit: UnauthenticatedLimit? = nil,
        plaintextHandlers: @escaping @Sendable () -> [any ChannelHandler] = { [] },
        rejectionObserver: OpenSSLServerChannel<HTTP1Channel>.RejectionObserver? = nil
    ) -> HTTPServerBuilder {
        .init { responder in
            OpenSSLServerChannel(HTTP1Channel(responder: responder, configuration: configuration), contexts: contexts,
                                 connectionScope: connectionScope, connectionCap: connectionCap, unauthenticatedLimit: unauthenticatedLimit,
                                 plaintextHandlers: plaintextHandlers, rejectionObserver: rejectionObserver)
        }
    }

    /// The same, with a context that is never replaced.
    public static func openSSL(
        _ configuration: HTTP1Channel.Configuration = .init(), context: TLSContext,
        connectionScope: OpenSSLServerChannel<HTTP1Channel>.ConnectionScope? = nil, connectionCap: ConnectionCap? = nil
    ) -> HTTPServerBuilder {
        openSSL(configuration, contexts: TLSContextHolder(context), connectionScope: connectionScope, connectionCap: connectionCap)
    }
}
