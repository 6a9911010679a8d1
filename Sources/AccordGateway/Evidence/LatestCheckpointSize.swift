import AccordStore
import Synchronization

/// The size of the latest signed checkpoint, as receipts, inbox items and key-binding JWTs name
/// it (docs/audit.md, "Evidence in every answer"). It is read from the store at most once per
/// `maxAge` whatever the traffic, so an answer costs no read of its own: a value that old still
/// names a checkpoint the gateway had signed, and the answer's leaf lies in it or after it,
/// which is all the answer claims.
final class LatestCheckpointSize: Sendable {
    private struct Cached {
        var size: UInt64?
        var readAt: ContinuousClock.Instant?
        var reading = false
    }

    private let cached = Mutex(Cached())
    let maxAge: Duration

    init(maxAge: Duration = .milliseconds(500)) {
        self.maxAge = maxAge
    }

    /// The size last read, read again first when it is older than `maxAge` and no other caller
    /// is reading it already; nil before the log's first checkpoint.
    func current(from store: any AuditReading) async -> UInt64? {
        let now = ContinuousClock.now
        let (known, mustRead) = cached.withLock { cached -> (UInt64?, Bool) in
            let fresh = cached.readAt.map { now - $0 < maxAge } ?? false
            guard !fresh, !cached.reading else { return (cached.size, false) }
            cached.reading = true
            return (cached.size, true)
        }
        guard mustRead else { return known }
        let read: StoredCheckpoint?
        do { read = try await store.latestCheckpoint() } catch {
            // A failed read keeps what was known and is tried again by the next caller.
            return cached.withLock { cached in
                cached.reading = false
                return cached.size
            }
        }
        return cached.withLock { cached in
            cached.reading = false
            cached.readAt = now
            if let size = read?.size { cached.size = max(size, cached.size ?? 0) }
            return cached.size
        }
    }
}
