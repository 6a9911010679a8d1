import Foundation

/// Runs blocking `work` (a child process, a file lock, a pip install) on a Dispatch thread and
/// waits for it without holding a thread of Swift's cooperative pool. Every test of the bundle
/// shares that pool, one thread per core, with the in-process servers other tests drive: two
/// tests blocking it stall them all.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// `offPool` for work that cannot fail.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
