import Synchronization

/// The hand-off between callers and the group-commit writer. Callers enqueue work and
/// suspend; the writer takes everything queued at once, commits it in one transaction, and
/// resumes each caller with its own result.
final class CommitQueue: Sendable {
    struct Job: Sendable {
        let work: WriteWork
        let continuation: CheckedContinuation<WriteResult, any Error>
    }

    private struct State {
        var jobs: [Job] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }

    private let state = Mutex(State())

    func submit(_ work: WriteWork) async throws(StoreError) -> WriteResult {
        do {
            return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WriteResult, any Error>) in
                let outcome: (accepted: Bool, wake: CheckedContinuation<Void, Never>?) = state.withLock { state in
                    guard !state.closed else { return (false, nil) }
                    state.jobs.append(Job(work: work, continuation: continuation))
                    let waiter = state.waiter
                    state.waiter = nil
                    return (true, waiter)
                }
                if outcome.accepted {
                    outcome.wake?.resume()
                } else {
                    continuation.resume(throwing: StoreError(.shuttingDown, "the store's writer has stopped"))
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.databaseFailed, "\(error)")
        }
    }

    /// Waits for work and takes up to `limit` jobs; returns an empty batch once closed and drained.
    func next(limit: Int) async -> [Job] {
        while true {
            let taken: [Job]? = state.withLock { state in
                if !state.jobs.isEmpty {
                    let count = min(limit, state.jobs.count)
                    let batch = Array(state.jobs.prefix(count))
                    state.jobs.removeFirst(count)
                    return batch
                }
                return state.closed ? [] : nil
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard state.jobs.isEmpty, !state.closed else { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Stops accepting work; work already queued is still committed.
    func close() {
        let waiter = state.withLock { state in
            state.closed = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func reopen() {
        state.withLock { $0.closed = false }
    }
}
