import AccordCore
import AccordAudit
import AccordPolicy
import AccordStore
import Foundation
import Hummingbird
import NIOCore

/// Audit search and export. Each is recorded in the log (`audit.queried`, `audit.exported`)
/// before it is answered, with the operator as actor and the filters as details, so a search
/// that cannot be recorded is not answered.
extension Console {
    static let searchLimit = 500

    func auditForm(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.searchAudit, request, context) { person, _ in
            renderer.page("audit", title: "Audit search", data: searchData(person, form: [:], selected: []), operator: person, current: "/audit")
        }
    }

    func auditSearch(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.searchAudit, request, context, form: true) { person, form in
            var data = searchData(person, form: [:], selected: form.all("event"))
            let filters: AuditFilters
            do throws(AuditFilters.Problem) { filters = try AuditFilters(form, subjectKey: environment.subjectKey, defaultLimit: Self.searchLimit) } catch {
                data["problem"] = error.message
                return renderer.page("audit", title: "Audit search", data: data, operator: person, current: "/audit", status: .badRequest)
            }
            data["form"] = filters.echo
            _ = try await environment.store.append([AuditRecord(
                event: .auditQueried, time: environment.now(), actor: person.actor, details: filters.details.merging(["view": "search"]) { a, _ in a }
            )])
            let leaves = try await environment.store.query(filters.query)
            let proofs = await ProofStatus.of(leaves, environment: environment)
            data["searched"] = true
            data["count"] = leaves.count
            data["subjectHash"] = filters.subjectHash.map { "\($0.type):\($0.hmac)" } ?? ""
            data["checkpointSummary"] = proofs.summary
            let changedRows = environment.integrityRuns.indexMismatches()
            data["rows"] = leaves.map { leaf -> [String: Any] in
                let record = leaf.record
                let proof = proofs.status(of: leaf.index)
                var row: [String: Any] = [
                    "index": leaf.index, "time": AuditTime.format(milliseconds: record.timeMilliseconds), "event": record.event.rawValue,
                    "actor": record.actor, "message": record.messageID?.rawValue ?? "", "from": record.from?.rawValue ?? "",
                    "to": record.to.joined(separator: ", "), "agreement": record.agreement?.id.rawValue ?? "", "reason": record.reason ?? "",
                    "disclosed": record.disclosed.joined(separator: ", "), "withheld": record.withheld.joined(separator: ", "),
                    "proof": proof.label, "proofClass": proof.cssClass,
                ]
                if !filters.query.matches(record) {
                    row["indexNote"] = "found through a search column that disagrees with the signed leaf"
                } else if let columns = changedRows[leaf.index] {
                    row["indexNote"] = "its search columns disagree with the signed leaf (\(columns.joined(separator: ", ")))"
                }
                return row
            }
            return renderer.page("audit", title: "Audit search", data: data, operator: person, current: "/audit")
        }
    }

    func auditExport(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.exportAudit, request, context, form: true) { person, form in
            let filters: AuditFilters
            do throws(AuditFilters.Problem) { filters = try AuditFilters(form, subjectKey: environment.subjectKey, defaultLimit: nil) } catch {
                var data = searchData(person, form: [:], selected: form.all("event"))
                data["problem"] = error.message
                return renderer.page("audit", title: "Audit search", data: data, operator: person, current: "/audit", status: .badRequest)
            }
            _ = try await environment.store.append([AuditRecord(
                event: .auditExported, time: environment.now(), actor: person.actor, details: filters.details.merging(["format": "jsonl"]) { a, _ in a }
            )])
            let stamp = AuditTime.format(milliseconds: AuditTime.milliseconds(environment.now()))
                .replacingOccurrences(of: ":", with: "").replacingOccurrences(of: ".", with: "")
            let (store, origin, verifier, index) = (environment.store, environment.origin, environment.auditVerifier, environment.proofIndex)
            let query = filters.query == AuditQuery() ? nil : filters.query
            // Written a page at a time as the browser reads it; the export's last line says how
            // many entries it holds, so a download cut short does not pass for a smaller export.
            return Response(status: .ok, headers: [
                .contentType: "application/jsonl; charset=utf-8",
                .contentDisposition: "attachment; filename=\"accord-audit-\(stamp).jsonl\"",
            ], body: ResponseBody { writer in
                _ = try await AuditExport.write(from: store, origin: origin, verifier: verifier, matching: query, index: index, as: .jsonl) { text in
                    try await writer.write(ByteBuffer(string: text))
                }
                try await writer.finish(nil)
            })
        }
    }

    func searchData(_ person: ConsoleOperator, form: [String: String], selected: [String]) -> [String: Any] {
        let set = environment.agreements.active.policy.set
        return [
            "csrf": token(person), "form": form,
            "events": AuditEvent.allCases.map { ["name": $0.rawValue, "selected": selected.contains($0.rawValue)] as [String: Any] },
            "agencies": set.agencies.keys.sorted(), "agreementIDs": set.agreements.map(\.id),
        ]
    }
}

/// Inclusion-proof status of search results against the latest signed checkpoint.
struct ProofStatus {
    enum State {
        case proved(treeSize: UInt64)
        case awaitingCheckpoint
        case failed(String)

        var label: String {
            switch self {
            case .proved(let size): "included (checkpoint of \(size))"
            case .awaitingCheckpoint: "awaiting next checkpoint"
            case .failed(let reason): "NOT PROVED: \(reason)"
            }
        }

        var cssClass: String {
            switch self {
            case .proved: "ok"
            case .awaitingCheckpoint: "warn"
            case .failed: "bad"
            }
        }
    }

    let summary: String
    let states: [UInt64: State]
    let otherwise: State

    func status(of index: UInt64) -> State { states[index] ?? otherwise }

    /// Builds every result's proof with the console's proof index (reading only the leaf
    /// hashes the proofs need) and checks it against the latest checkpoint, whose signature is
    /// checked first.
    static func of(_ leaves: [AuditLeaf], environment: ConsoleEnvironment) async -> ProofStatus {
        guard !leaves.isEmpty else { return ProofStatus(summary: "", states: [:], otherwise: .awaitingCheckpoint) }
        do {
            guard let latest = try await environment.store.latestCheckpoint() else {
                return ProofStatus(summary: "No checkpoint has been signed yet; proofs follow the first one.", states: [:], otherwise: .awaitingCheckpoint)
            }
            let checkpoint: Checkpoint
            do {
                guard let opened = try await environment.store.latestCheckpoint(trusting: environment.auditVerifier), opened.stored.size == latest.size else {
                    throw AuditError(.unknownKey, "the latest checkpoint changed while it was read")
                }
                checkpoint = opened.checkpoint
            } catch {
                return ProofStatus(summary: "The latest checkpoint's signature does not verify.", states: [:],
                                   otherwise: .failed("checkpoint signature invalid"))
            }
            let covered = leaves.filter { $0.index < checkpoint.size }
            let proofs = covered.isEmpty ? []
                : try await environment.proofIndex.inclusionProofs(for: covered.map(\.index), treeSize: checkpoint.size)
            let hasher = TreeHasher()
            var states: [UInt64: State] = [:]
            for (leaf, included) in zip(covered, proofs) {
                do {
                    try InclusionProof.verify(leafHash: hasher.leafHash(leaf.bytes), index: leaf.index,
                                              treeSize: checkpoint.size, proof: included.proof, root: checkpoint.rootHash)
                    states[leaf.index] = .proved(treeSize: checkpoint.size)
                } catch {
                    states[leaf.index] = .failed("proof does not lead to the signed root")
                }
            }
            return ProofStatus(summary: "Proofs checked against the signed checkpoint of \(checkpoint.size) leaves.",
                               states: states, otherwise: .awaitingCheckpoint)
        } catch {
            return ProofStatus(summary: "Proofs could not be built: \(error)", states: [:], otherwise: .failed("log inconsistent; run a verification"))
        }
    }
}
