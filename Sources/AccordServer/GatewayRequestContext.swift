public import AccordTLS
public import Hummingbird

/// The request context of the agency API: Hummingbird's core storage plus the verified TLS
/// peer of the connection the request arrived on, captured when the context is made.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer OpenSSL verified in the handshake; nil only outside a TLS connection (tests).
    public let peer: TLSPeer?
    /// Set by the connection scope when the agency already has its maximum of connections.
    public let overConnectionLimit: Bool

    public init(source: Source) {
        coreContext = .init(source: source)
        peer = TLSPeer.current
        overConnectionLimit = ConnectionLimiter.overLimit
    }
}
