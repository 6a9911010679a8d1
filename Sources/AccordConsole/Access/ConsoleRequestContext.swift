import AccordTLS
public import Hummingbird

/// The request context of console routes: Hummingbird's core storage plus the operator the
/// admission middleware found in the client certificate.
public struct ConsoleRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the admission middleware for every request that reaches a route.
    public internal(set) var consoleOperator: ConsoleOperator?
    /// Where the request came from, as the sign-in pause counts sources: the address, or
    /// its /64 for IPv6; nil when the channel has no IP address (tests).
    public let clientSource: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientSource = source.channel.remoteAddress.flatMap(UnauthenticatedLimit.source)
    }

    /// Console forms are small; anything bigger is refused before it is read.
    public var maxUploadSize: Int { 64 * 1024 }
}
