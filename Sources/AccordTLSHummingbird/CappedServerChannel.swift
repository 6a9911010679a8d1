public import AccordTLS
public import HummingbirdCore
public import Logging
public import NIOCore

/// A plain (non-TLS) child channel under a `ConnectionCap`, for a listener that has no TLS and
/// no authentication, such as the operations listener: a flood on it can hold at most the cap's
/// descriptors, never the slots of the TLS listeners.
public struct CappedServerChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    public let base: Base
    public let connectionCap: ConnectionCap

    public init(_ base: Base, connectionCap: ConnectionCap) {
        self.base = base
        self.connectionCap = connectionCap
    }

    /// Closes a connection over the cap at accept, as `OpenSSLServerChannel` does, and closes
    /// one whose setup fails, since NIO's accept loop drops a failed setup without closing it.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard connectionCap.admit(channel) else {
            return channel.eventLoop.makeFailedFuture(TLSError(
                .connectionCapReached, "\(connectionCap.limit) connections are open, the most this listener accepts"))
        }
        let value = base.setup(channel: channel, logger: logger)
        value.whenFailure { _ in channel.close(promise: nil) }
        return value
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Plain HTTP/1.1 under `connectionCap`.
    public static func http1(_ configuration: HTTP1Channel.Configuration, connectionCap: ConnectionCap) -> HTTPServerBuilder {
        .init { responder in
            CappedServerChannel(HTTP1Channel(responder: responder, configuration: configuration), connectionCap: connectionCap)
        }
    }
}
