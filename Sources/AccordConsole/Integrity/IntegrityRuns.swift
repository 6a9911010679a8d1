import AccordAudit
public import Foundation
public import ServiceLifecycle
import Synchronization

/// Verifications of the log started from the console, run in the background one at a time,
/// with their progress and results kept (the last few) for the status page.
///
/// A `Service`: `ConsoleRoutes.application` runs it; whoever mounts `ConsoleRoutes.router`
/// in an application of their own runs `environment.integrityRuns` beside it. Until it runs,
/// a verification cannot be started. On graceful shutdown a running verification is
/// cancelled between pages.
public final class IntegrityRuns: Service, Sendable {
    /// Reports leaves checked so far; called from the store's progress callback.
    struct Progress: Sendable {
        let report: @Sendable (_ checked: UInt64, _ total: UInt64) -> Void
    }

    /// The verification itself, handed in by the console: the result and an optional note.
    typealias Work = @Sendable (Progress) async -> (VerificationRun.Result, note: String?)

    enum Start {
        case started(VerificationRun)
        /// One is running already; no second one was started.
        case alreadyRunning(VerificationRun)
        /// The service is not running, so nothing would carry the run out.
        case unavailable
    }

    private struct Job: Sendable {
        let id: Int
        let work: Work
    }

    private struct State {
        var nextID = 1
        // INVARIANT: at most one run is unfinished, and it is the last.
        var runs: [VerificationRun] = []
        var accepting = false
    }

    /// Finished runs kept for their status pages.
    static let kept = 10

    private let state = Mutex(State())
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation
    private let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        (jobs, submit) = AsyncStream.makeStream(of: Job.self)
        self.now = now
    }

    public func run() async throws {
        state.withLock { $0.accepting = true }
        await cancelWhenGracefulShutdown { [self] in
            for await job in jobs { await perform(job) }
        }
        state.withLock { state in
            state.accepting = false
            if let last = state.runs.indices.last, !state.runs[last].isFinished {
                state.runs[last].result = .failed("the console stopped before the run finished")
            }
        }
    }

    /// Starts a run by `actor` over `total` leaves, unless one is running.
    func start(by actor: String, total: UInt64, work: @escaping Work) -> Start {
        let start = state.withLock { state -> Start in
            if let last = state.runs.last, !last.isFinished { return .alreadyRunning(last) }
            guard state.accepting else { return .unavailable }
            let run = VerificationRun(id: state.nextID, startedBy: actor, startedAt: now(), startInstant: .now, total: total)
            state.nextID += 1
            state.runs.append(run)
            state.runs.removeFirst(max(0, state.runs.count - Self.kept))
            return .started(run)
        }
        if case .started(let run) = start { submit.yield(Job(id: run.id, work: work)) }
        return start
    }

    func run(id: Int) -> VerificationRun? {
        state.withLock { $0.runs.first { $0.id == id } }
    }

    /// The run in progress, if any, and the last finished one.
    /// Rows whose search columns the latest finished verification found changed, by leaf index.
    func indexMismatches() -> [UInt64: [String]] {
        guard case .intact(let summary) = latest().finished?.result else { return [:] }
        return Dictionary(summary.indexMismatches.map { ($0.index, $0.columns) }, uniquingKeysWith: { first, _ in first })
    }

    func latest() -> (running: VerificationRun?, finished: VerificationRun?) {
        state.withLock { state in
            (state.runs.last.flatMap { $0.isFinished ? nil : $0 }, state.runs.last(where: \.isFinished))
        }
    }

    private func perform(_ job: Job) async {
        let progress = Progress { [self] checked, total in
            update(job.id) { run in
                run.checked = checked
                run.total = max(total, checked)
            }
        }
        let (result, note) = await job.work(progress)
        let finished = now()
        update(job.id) { run in
            run.result = result
            run.note = note
            run.finishedAt = finished
            run.finishInstant = .now
            if case .intact(let summary) = result { run.checked = summary.leafCount }
            run.total = max(run.total, run.checked)
        }
    }

    private func update(_ id: Int, _ change: (inout VerificationRun) -> Void) {
        state.withLock { state in
            if let index = state.runs.lastIndex(where: { $0.id == id }) { change(&state.runs[index]) }
        }
    }
}
