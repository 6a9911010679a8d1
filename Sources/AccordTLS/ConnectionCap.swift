package import NIOCore
import Synchronization

/// The most connections open at once over every listener that shares the cap, checked when a
/// connection is accepted, before any TLS state exists: a connection over the cap is closed at
/// once, without a handshake or an SSL object, so a flood of connections or handshakes cannot
/// exhaust the gateway's memory or file descriptors.
public final class ConnectionCap: Sendable {
    public let limit: Int
    private let open = Atomic<Int>(0)
    private let onRefused: @Sendable () -> Void

    /// `onRefused` runs on the refused connection's event loop, once per refusal: keep it short.
    public init(limit: Int, onRefused: @escaping @Sendable () -> Void = {}) {
        self.limit = max(limit, 1)
        self.onRefused = onRefused
    }

    /// The connections counted now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Counts `channel` until it closes and returns true; or, at the cap, closes it and
    /// returns false.
    ///
    /// INVARIANT: an admitted channel is counted exactly once and released exactly once, when
    /// its close future completes (which it does whether or not the channel was registered).
    package func admit(_ channel: any Channel) -> Bool {
        guard open.add(1, ordering: .relaxed).newValue <= limit else {
            open.subtract(1, ordering: .relaxed)
            channel.close(promise: nil)
            onRefused()
            return false
        }
        channel.closeFuture.whenComplete { _ in self.open.subtract(1, ordering: .relaxed) }
        return true
    }
}
