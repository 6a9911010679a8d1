import AccordAudit
import AccordCore
import AccordGateway
import AccordStore
import Foundation
import Hummingbird
import NIOCore

/// `GET /v1/proofs/inclusion?leaf=N[&size=M]` and `GET /v1/proofs/consistency?from=&to=`
/// (docs/audit.md, "Tiles and proofs"): so that an agency holds, for each of its exchanges,
/// the proof that the leaf its receipt names is in the log a checkpoint commits to. The
/// leaf's text comes with the proof only for an agency that sent, received or caused it.
struct ProofRoutes: Sendable {
    let log: LogRoutes

    func register<Context: RequestContext>(on router: some RouterMethods<Context>, caller: @escaping @Sendable (Context) throws -> String) {
        router.get("proofs/inclusion") { request, context in
            try await inclusion(request.uri.queryParameters, caller: try caller(context))
        }
        router.get("proofs/consistency") { request, _ in try await consistency(request.uri.queryParameters) }
    }

    func inclusion(_ query: Parameters, caller: String) async throws -> Response {
        let leaf = try Self.number(query, "leaf", required: true)!
        let latest = try await log.store.latestCheckpoint()?.size ?? 0
        let stored: StoredCheckpoint
        let note: String
        if let size = try Self.number(query, "size", required: false) {
            guard size > leaf, size <= latest else {
                throw GatewayProblem(code: "invalid-tree-size", status: 400, title: "Bad request",
                                     detail: "'size' must be above 'leaf' (\(leaf)) and at most the latest checkpoint's size (\(latest))")
            }
            guard let signed = try await log.store.checkpoint(size: size) else {
                throw GatewayProblem(code: "no-checkpoint-of-size", status: 404, title: "Not found",
                                     detail: "no checkpoint was signed at size \(size); ask without 'size' for the first one covering leaf \(leaf)")
            }
            (stored, note) = (signed, try await log.publisher.cosigned(signed))
        } else {
            guard let first = try await log.publisher.firstPublished(covering: leaf) else {
                throw GatewayProblem(code: "not-yet-covered", status: 404, title: "Not yet covered",
                                     detail: log.publisher.witnessed
                                         ? "leaf \(leaf) is not yet covered by a checkpoint with the cosignatures the witnessing policy requires; ask again later"
                                         : "leaf \(leaf) is not yet covered by a signed checkpoint; ask again after the next one",
                                     retryAfter: 10)
            }
            (stored, note) = first
        }
        let proof = try await log.index.inclusionProofs(for: [leaf], treeSize: stored.size)[0]
        var body: [String: JSONValue] = [
            "leaf_index": .integer(Int64(leaf)), "tree_size": .integer(Int64(stored.size)),
            "leaf_hash": .string(Data(proof.leafHash).base64EncodedString()),
            "proof": .array(proof.proof.map { .string(Data($0).base64EncodedString()) }),
            "checkpoint": .string(note),
        ]
        if let row = try await log.store.leaves(in: leaf ..< leaf + 1).first, let parsed = try? AuditLeaf(bytes: row.bytes),
           parsed.record.from?.rawValue == caller || parsed.record.to.contains(AgencyID(caller)) || parsed.record.actor == caller {
            body["leaf"] = .string(String(decoding: row.bytes, as: UTF8.self))
        }
        return Self.json(.object(body))
    }

    func consistency(_ query: Parameters) async throws -> Response {
        let from = try Self.number(query, "from", required: true)!
        let to = try Self.number(query, "to", required: true)!
        let latest = try await log.store.latestCheckpoint()?.size ?? 0
        guard from > 0, from <= to, to <= latest else {
            throw GatewayProblem(code: "invalid-tree-size", status: 400, title: "Bad request",
                                 detail: "consistency needs 0 < from <= to <= \(latest) (the latest checkpoint's size)")
        }
        let proof = from == to ? [] : try await log.index.consistencyProofs([(from, to)])[0]
        return Self.json(.object([
            "from": .integer(Int64(from)), "to": .integer(Int64(to)),
            "proof": .array(proof.map { .string(Data($0).base64EncodedString()) }),
        ]))
    }

    static func number(_ query: Parameters, _ name: String, required: Bool) throws -> UInt64? {
        guard let text = query[name[...]].map(String.init) else {
            if required {
                throw GatewayProblem(code: "missing-parameter", status: 400, title: "Bad request", detail: "the query parameter '\(name)' is required")
            }
            return nil
        }
        guard let value = UInt64(text), String(value) == text else {
            throw GatewayProblem(code: "invalid-parameter", status: 400, title: "Bad request", detail: "'\(name)' must be a whole number of at least 0")
        }
        return value
    }

    static func json(_ value: JSONValue) -> Response {
        // Strings and integers always have a canonical form.
        let bytes = (try? CanonicalJSON.encode(value)) ?? []
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
