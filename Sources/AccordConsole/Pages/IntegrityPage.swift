import AccordAudit
import AccordStore
import Foundation
import Hummingbird
import Logging

/// The latest signed checkpoint, and full verifications of the stored log run in the
/// background (`IntegrityRuns`) with a status page that refreshes itself while one runs.
extension Console {
    /// Seconds between reloads of a running verification's page (a meta refresh: no script).
    static let runRefreshSeconds = 2

    func integrity(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewIntegrity, request, context) { person, _ in
            var data = try await integrityData(person)
            let (running, finished) = environment.integrityRuns.latest()
            if let running { data["running"] = Self.runData(running) }
            if let finished { data["finished"] = Self.runData(finished) }
            return renderer.page("integrity", title: "Integrity", data: data, operator: person, current: "/integrity")
        }
    }

    /// Starts a verification, or finds the one already running, and sends the operator to its page.
    func verify(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.verifyLog, request, context, form: true) { person, _ in
            let total = try await environment.store.leafCount()
            let environment = environment
            let logger = context.logger
            switch environment.integrityRuns.start(by: person.actor, total: total, work: { progress in
                await Self.verification(environment, actor: person.actor, logger: logger, progress: progress)
            }) {
            case .started(let run):
                return .redirect(to: "/integrity/runs/\(run.id)")
            case .alreadyRunning(let run):
                return .redirect(to: "/integrity/runs/\(run.id)?already=1")
            case .unavailable:
                return renderer.error(.serviceUnavailable, title: "Integrity",
                                      message: "Verifications cannot be started: the console's verification service is not running.",
                                      operator: person)
            }
        }
    }

    func verificationRun(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewIntegrity, request, context) { person, query in
            guard let id = context.parameters.get("id", as: Int.self), let run = environment.integrityRuns.run(id: id) else {
                return renderer.error(.notFound, title: "Integrity",
                                      message: "No such verification is kept; the console keeps the last \(IntegrityRuns.kept).",
                                      operator: person)
            }
            var data = Self.runData(run)
            data["already"] = query["already"] != nil && !run.isFinished
            return renderer.page("integrity-run", title: "Verification \(run.id)", data: data, operator: person, current: "/integrity",
                                 refresh: run.isFinished ? nil : Self.runRefreshSeconds)
        }
    }

    /// Verifies the log and records that it was verified, by whom and with what result.
    ///
    /// The record is an `audit.queried` with `view=integrity`, written after the run: a
    /// verification reads every leaf but shows no one anything about a person, so unlike a
    /// search it need not be recorded before it starts; recording its result keeps in the
    /// signed log who checked the log and what they found.
    static func verification(
        _ environment: ConsoleEnvironment, actor: String, logger: Logger, progress: IntegrityRuns.Progress
    ) async -> (VerificationRun.Result, note: String?) {
        let result: VerificationRun.Result
        var checked: UInt64 = 0
        do {
            let outcome = try await environment.store.verifyLog(
                origin: environment.origin, verifier: environment.auditVerifier, pageSize: 20_000,
                progress: { done, total in
                    checked = done
                    progress.report(done, total)
                })
            switch outcome {
            case .verified(let summary):
                result = .intact(summary)
                checked = summary.leafCount
            case .diverged(let divergence):
                result = .diverged(divergence)
            }
        } catch {
            logger.error("log verification stopped", metadata: ["actor": "\(actor)", "error": "\(error.code.rawValue)"])
            return (.failed(error.description), nil)
        }
        let label = switch result {
        case .intact(let summary) where !summary.isClean: "index-mismatch"
        case .intact: "intact"
        case .diverged: "diverged"
        case .failed: "failed"
        }
        logger.info("log verified", metadata: ["actor": "\(actor)", "result": "\(label)", "leaves": "\(checked)"])
        do {
            _ = try await environment.store.append([AuditRecord(
                event: .auditQueried, time: environment.now(), actor: actor,
                details: ["view": "integrity", "result": label, "leaves": String(checked)])])
        } catch {
            return (result, "The result could not be recorded in the audit log: \(error.code.rawValue).")
        }
        return (result, nil)
    }

    static func runData(_ run: VerificationRun) -> [String: Any] {
        var data: [String: Any] = [
            "id": run.id, "startedBy": run.startedBy,
            "startedAt": AuditTime.format(milliseconds: AuditTime.milliseconds(run.startedAt)),
            "checked": run.checked, "total": run.total, "max": max(run.total, 1),
            "percent": run.total == 0 ? (run.isFinished ? 100 : 0) : Int(run.checked * 100 / run.total),
            "elapsed": Self.duration(run.elapsed(now: .now)), "running": !run.isFinished,
        ]
        if let finishedAt = run.finishedAt { data["finishedAt"] = AuditTime.format(milliseconds: AuditTime.milliseconds(finishedAt)) }
        if let note = run.note { data["note"] = note }
        switch run.result {
        case .intact(let summary) where !summary.isClean:
            let listed = summary.indexMismatches.prefix(50).map { "leaf \($0.index): \($0.columns.joined(separator: ", "))" }
            data["result"] = [
                "kind": "error", "headline": "The signed log is intact, but its search index was changed.",
                "detail": "\(summary.indexMismatchCount) row(s) disagree with their signed leaves: a search by those columns misses or misplaces them. "
                    + "Searches mark these leaves. " + listed.joined(separator: "; ")
                    + (summary.indexMismatchCount > listed.count ? "; …" : ""),
            ]
        case .intact(let summary):
            let unsigned = summary.leafCount - summary.latestCheckpointSize
            data["result"] = [
                "kind": "ok", "headline": "The log is intact.",
                "detail": "\(summary.leafCount) leaves recomputed; \(summary.checkpointsVerified) signed checkpoint(s) verified; the latest covers \(summary.latestCheckpointSize) leaves"
                    + (unsigned > 0 ? " (\(unsigned) newer leaves are not yet signed)." : "."),
            ]
        case .diverged(let divergence):
            data["result"] = ["kind": "error", "headline": "The log does NOT verify.", "detail": divergence.description]
        case .failed(let reason):
            data["result"] = ["kind": "warn", "headline": "The verification did not finish.", "detail": reason]
        case nil:
            break
        }
        return data
    }

    /// "850 ms", "12.4 s", "3 min 05 s".
    static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if seconds < 60 { return String(format: "%.1f s", Double(milliseconds) / 1000) }
        return String(format: "%d min %02d s", seconds / 60, seconds % 60)
    }

    func integrityData(_ person: ConsoleOperator) async throws -> [String: Any] {
        let leafCount = try await environment.store.leafCount()
        var data: [String: Any] = [
            "csrf": token(person), "leafCount": leafCount, "verifierKey": environment.auditVerifier.verifierKey,
        ]
        if let latest = try await environment.store.latestCheckpoint() {
            let signature: String
            do {
                _ = try await environment.store.latestCheckpoint(trusting: environment.auditVerifier)
                signature = "verifies with the audit key"
            } catch {
                signature = "DOES NOT VERIFY: \(error)"
            }
            data["checkpoint"] = [
                "origin": environment.origin, "size": latest.size, "root": Data(latest.rootHash).base64EncodedString(),
                "created": AuditTime.format(milliseconds: AuditTime.milliseconds(latest.createdAt)), "signature": signature,
                "note": latest.note,
            ] as [String: Any]
            if leafCount > latest.size { data["unsigned"] = leafCount - latest.size }
        } else if leafCount > 0 {
            data["unsigned"] = leafCount
        }
        return data
    }
}
