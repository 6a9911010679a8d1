import AccordAudit
import AccordStore
import Foundation
import Hummingbird

/// The latest signed checkpoint and a full verification of the stored log.
extension Console {
    func integrity(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewIntegrity, request, context) { person, _ in
            renderer.page("integrity", title: "Integrity", data: try await integrityData(person), operator: person, current: "/integrity")
        }
    }

    func verify(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.verifyLog, request, context, form: true) { person, _ in
            var data = try await integrityData(person)
            let started = ContinuousClock.now
            let total = try await environment.store.leafCount()
            var checked: UInt64 = 0
            let outcome = try await environment.store.verifyLog(origin: environment.origin, verifier: environment.auditVerifier) { done, _ in
                checked = done
            }
            let elapsed = (ContinuousClock.now - started).formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated))
            switch outcome {
            case .verified(let summary):
                let unsigned = summary.leafCount - summary.latestCheckpointSize
                data["result"] = [
                    "kind": "ok", "headline": "The log is intact.",
                    "detail": "\(summary.leafCount) leaves recomputed; \(summary.checkpointsVerified) signed checkpoint(s) verified; the latest covers \(summary.latestCheckpointSize) leaves"
                        + (unsigned > 0 ? " (\(unsigned) newer leaves are not yet signed)." : "."),
                    "checked": summary.leafCount, "total": max(total, summary.leafCount), "elapsed": elapsed,
                ] as [String: Any]
            case .diverged(let divergence):
                data["result"] = [
                    "kind": "error", "headline": "The log does NOT verify.", "detail": divergence.description,
                    "checked": checked, "total": total, "elapsed": elapsed,
                ] as [String: Any]
            }
            return renderer.page("integrity", title: "Integrity", data: data, operator: person, current: "/integrity")
        }
    }

    func integrityData(_ person: ConsoleOperator) async throws -> [String: Any] {
        let leafCount = try await environment.store.leafCount()
        var data: [String: Any] = [
            "csrf": token(person), "leafCount": leafCount, "verifierKey": environment.auditVerifier.verifierKey,
        ]
        if let latest = try await environment.store.checkpoints().max(by: { $0.size < $1.size }) {
            let signature: String
            do {
                _ = try Checkpoint.open(latest.note, verifier: environment.auditVerifier)
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
