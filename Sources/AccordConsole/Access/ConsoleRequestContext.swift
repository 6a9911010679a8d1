public import Hummingbird

/// The request context of console routes: Hummingbird's core storage plus the operator the
/// admission middleware found in the client certificate.
public struct ConsoleRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the admission middleware for every request that reaches a route.
    public internal(set) var consoleOperator: ConsoleOperator?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Console forms are small; anything bigger is refused before it is read.
    public var maxUploadSize: Int { 64 * 1024 }
}
