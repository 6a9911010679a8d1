import Foundation
public import NIOCore
import Synchronization

/// The most connections one source address may hold before they are authenticated: from
/// accept until the handshake verifies a client certificate (a console client that sends none
/// stays unauthenticated for as long as it is open). Checked at accept, before TLS, like
/// `ConnectionCap`, so that one anonymous host cannot take every slot of the cap with
/// connections that never finish a handshake; the handshake deadline frees those it holds.
///
/// A source is an IPv4 address, or an IPv6 /64: one host is commonly given a whole /64, so
/// counting single IPv6 addresses would let it open as many connections as it likes.
public final class UnauthenticatedLimit: Sendable {
    public let perSource: Int
    private let counts = Mutex<[String: Int]>([:])
    private let onRefused: @Sendable () -> Void

    /// `onRefused` runs on the refused connection's event loop, once per refusal: keep it short.
    public init(perSource: Int, onRefused: @escaping @Sendable () -> Void = {}) {
        self.perSource = max(perSource, 1)
        self.onRefused = onRefused
    }

    /// Sources holding unauthenticated connections now (for tests).
    public var sources: Int { counts.withLock { $0.count } }

    /// Counts `channel` against its source until `Slot.release()` or its close and returns the
    /// slot; or, at the limit, closes it and returns nil. A channel without an IP address (a
    /// Unix socket) is not limited.
    ///
    /// INVARIANT: an admitted channel's count is given back exactly once, by whichever of the
    /// handshake's success and the channel's close comes first.
    package func admit(_ channel: any Channel) -> Slot? {
        guard let source = channel.remoteAddress.flatMap(Self.source) else { return Slot(limit: self, source: nil) }
        let admitted = counts.withLock { counts in
            let count = counts[source, default: 0]
            guard count < perSource else { return false }
            counts[source] = count + 1
            return true
        }
        guard admitted else {
            channel.close(promise: nil)
            onRefused()
            return nil
        }
        let slot = Slot(limit: self, source: source)
        channel.closeFuture.whenComplete { _ in slot.release() }
        return slot
    }

    fileprivate func give(back source: String) {
        counts.withLock { counts in
            let left = counts[source, default: 1] - 1
            // Sources that have gone are forgotten, so a scan of many addresses leaves nothing behind.
            counts[source] = left > 0 ? left : nil
        }
    }

    /// The key a remote address is counted under: an IPv4 address, or an IPv6 /64.
    public static func source(_ address: SocketAddress) -> String? {
        switch address {
        case .v4:
            return address.ipAddress
        case .v6:
            guard let text = address.ipAddress else { return nil }
            var bytes = [UInt8](repeating: 0, count: 16)
            guard inet_pton(AF_INET6, text, &bytes) == 1 else { return text }
            // An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d: that is one host.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return address.ipAddress
            }
            return bytes[0..<8].map { String($0, radix: 16) }.joined(separator: ":") + "::/64"
        case .unixDomainSocket:
            return nil
        }
    }

    /// One admitted connection's place in its source's count.
    package final class Slot: Sendable {
        private let limit: UnauthenticatedLimit
        private let source: String?
        private let released = Atomic<Bool>(false)

        fileprivate init(limit: UnauthenticatedLimit, source: String?) {
            self.limit = limit
            self.source = source
        }

        /// Gives the slot back; later calls do nothing.
        package func release() {
            guard let source, !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            limit.give(back: source)
        }
    }
}
