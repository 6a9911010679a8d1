public import HummingbirdCore
public import Logging
public import NIOCore

/// Wraps a Hummingbird child channel (HTTP/1.1) in OpenSSL TLS: the handshake, with the client
/// certificate verified, completes before any HTTP is read, and the verified `TLSPeer` is bound
/// to `TLSPeer.current` for every request on the connection.
public struct OpenSSLServerChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// The base channel's value together with the verified peer.
    public struct Value: ServerChildChannelValue {
        public let base: Base.Value
        public let peer: TLSPeer
        public var channel: any Channel { base.channel }
    }

    public let base: Base
    public let context: TLSContext

    public init(_ base: Base, context: TLSContext) {
        self.base = base
        self.context = context
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = self.context
        let base = self.base
        return channel.eventLoop.makeCompletedFuture { () throws -> EventLoopFuture<TLSPeer> in
            let handler = try OpenSSLHandler(context: context, eventLoop: channel.eventLoop)
            try channel.pipeline.syncOperations.addHandler(handler)
            return handler.handshakeFuture
        }
        .flatMap { $0 }
        .flatMapErrorThrowing { error in
            logger.notice("TLS connection refused", metadata: ["reason": "\(error)", "peer": "\(channel.remoteAddress.map { "\($0)" } ?? "unknown")"])
            throw error
        }
        .flatMap { peer in
            base.setup(channel: channel, logger: logger).map { Value(base: $0, peer: peer) }
        }
    }

    public func handle(value: Value, logger: Logger) async {
        var logger = logger
        logger[metadataKey: "peer"] = "\(value.peer.identity.map { "\($0)" } ?? "unidentified")"
        await TLSPeer.$current.withValue(value.peer) {
            await base.handle(value: value.base, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 over OpenSSL TLS with mutual authentication.
    public static func openSSL(_ configuration: HTTP1Channel.Configuration = .init(), context: TLSContext) -> HTTPServerBuilder {
        .init { responder in
            OpenSSLServerChannel(HTTP1Channel(responder: responder, configuration: configuration), context: context)
        }
    }
}
