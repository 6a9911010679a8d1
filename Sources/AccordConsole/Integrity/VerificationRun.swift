import AccordAudit
import Foundation

/// One verification of the whole log started from the console: who started it and when, how
/// far it has got, and once finished, what it found.
struct VerificationRun: Sendable {
    /// What a finished run found.
    enum Result: Sendable {
        case intact(LogVerifier.Summary)
        case diverged(Divergence)
        /// The run stopped before an answer (storage failure, shutdown).
        case failed(String)
    }

    let id: Int
    /// The operator's actor URI, as written into audit records.
    let startedBy: String
    let startedAt: Date
    let startInstant: ContinuousClock.Instant
    var checked: UInt64 = 0
    var total: UInt64
    var finishedAt: Date?
    var finishInstant: ContinuousClock.Instant?
    var result: Result?
    /// Something to say beside the result, such as that it could not be recorded.
    var note: String?

    var isFinished: Bool { result != nil }

    /// Time spent so far, or in all once finished.
    func elapsed(now: ContinuousClock.Instant) -> Duration {
        (finishInstant ?? now) - startInstant
    }
}
