import Synchronization

/// The TLS context a listener makes its next connection from. Replacing it (a reloaded trust
/// store, CRL or server certificate) changes only connections accepted afterwards: each
/// connection keeps the context it was made from for its whole life.
public final class TLSContextHolder: Sendable {
    private let context: Mutex<TLSContext>

    public init(_ context: TLSContext) {
        self.context = Mutex(context)
    }

    public var current: TLSContext { context.withLock { $0 } }

    public func replace(with context: TLSContext) {
        self.context.withLock { $0 = context }
    }
}
