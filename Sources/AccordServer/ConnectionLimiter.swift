import AccordTLS
import Synchronization

/// Counts open connections per agency. A connection over the limit is still served, but every
/// request on it is answered 429 with `Connection: close`, so the client learns why.
final class ConnectionLimiter: Sendable {
    @TaskLocal static var overLimit = false

    private let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) { self.limit = limit }

    /// The `OpenSSLServerChannel` connection scope.
    func scope(_ peer: TLSPeer, _ body: @Sendable () async -> Void) async {
        let key = peer.agencyID ?? peer.identity.map { "\($0)" } ?? "unidentified"
        let count = open.withLock { counts in
            counts[key, default: 0] += 1
            return counts[key]!
        }
        defer { open.withLock { $0[key, default: 1] -= 1 } }
        await Self.$overLimit.withValue(count > limit) { await body() }
    }
}
