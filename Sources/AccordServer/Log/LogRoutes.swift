import AccordAudit
import AccordCore
import AccordGateway
import AccordStore
import Foundation
import Hummingbird
import NIOCore

/// The audit log served by C2SP tlog-tiles below `log/`: `checkpoint`, hash tiles and entry
/// bundles, up to the latest signed checkpoint (docs/audit.md, "Tiles and proofs"). Hash
/// tiles and checkpoints hold only hashes and sizes; entry bundles hold every leaf's
/// metadata, so they are served only to the identities `mayReadEntries` admits.
struct LogRoutes: Sendable {
    let store: any AuditReading & CosignatureStore
    let index: ProofIndex
    let publisher: CheckpointPublisher

    static let immutable = "public, max-age=31536000, immutable"

    func register<Context: RequestContext>(
        on router: some RouterMethods<Context>, mayReadEntries: @escaping @Sendable (Context) -> Bool
    ) {
        router.get("log/checkpoint") { request, _ in
            if let size = try ProofRoutes.number(request.uri.queryParameters, "size", required: false) {
                return try await checkpoint(size: size)
            }
            return try await checkpoint()
        }
        router.get("log/tile/**") { request, context in
            try await tile(request.uri.path, entriesAllowed: { mayReadEntries(context) })
        }
    }

    func checkpoint() async throws -> Response {
        guard let note = try await publisher.published() else {
            return ProblemResponse.make(GatewayProblem(
                code: "no-checkpoint", status: 503, title: "No checkpoint yet",
                detail: "no checkpoint has been signed, or none yet has the cosignatures the witnessing policy requires", retryAfter: 5))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: note)))
    }

    /// The checkpoint signed at exactly `size`, with the cosignatures kept for it: what a
    /// receipt's or a KB-JWT's `checkpoint_size` names. Cosignatures may still arrive for it.
    func checkpoint(size: UInt64) async throws -> Response {
        guard let stored = try await store.checkpoint(size: size) else {
            let latest = try await store.latestCheckpoint()?.size ?? 0
            return ProblemResponse.make(GatewayProblem(
                code: "no-checkpoint-of-size", status: 404, title: "Not found",
                detail: size > latest ? "no checkpoint of size \(size) is signed yet (the latest has \(latest) leaves)"
                    : "no checkpoint was signed at size \(size); GET /v1/proofs/inclusion?leaf=<index> finds the first one covering a leaf"))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: try await publisher.cosigned(stored))))
    }

    func tile(_ requestPath: String, entriesAllowed: () -> Bool) async throws -> Response {
        guard let start = requestPath.range(of: "/log/") else { throw HTTPError(.notFound) }
        let tile: TilePath
        do { tile = try TilePath(parsing: String(requestPath[start.upperBound...])) } catch {
            return ProblemResponse.make(GatewayProblem(code: "invalid-tile-path", status: 400, title: "Bad request", detail: error.message))
        }
        if tile.isEntries, !entriesAllowed() {
            return ProblemResponse.make(GatewayProblem(
                code: "entries-restricted", status: 403, title: "Forbidden",
                detail: "entry bundles are served only to the log's entry readers; hash tiles, checkpoints and the proofs of your own exchanges are open to every agency"))
        }
        let size = try await store.latestCheckpoint()?.size ?? 0
        guard tile.isAvailable(treeSize: size) else {
            return ProblemResponse.make(GatewayProblem(
                code: "tile-not-available", status: 404, title: "Not found",
                detail: "\(tile) is beyond the latest checkpoint (\(size) leaves)"))
        }
        let ranges = tile.leafRanges
        let bytes: [UInt8]
        if tile.isEntries {
            let leaves = try await store.leaves(in: ranges[0].lowerBound ..< ranges[ranges.count - 1].upperBound)
            bytes = try EntryBundle.encode(leaves.map(\.bytes))
        } else if tile.level == 0 {
            bytes = try await store.leafHashes(in: ranges[0].lowerBound ..< ranges[ranges.count - 1].upperBound)
        } else {
            bytes = try await index.rangeHashes(ranges, treeSize: size).flatMap { $0 }
        }
        // A tile's content is fixed once the log reaches it, partial tiles included: each width
        // names one prefix of an append-only log. Entries are for some callers only.
        return Response(status: .ok, headers: [
            .contentType: "application/octet-stream",
            .cacheControl: tile.isEntries ? "private, max-age=31536000, immutable" : Self.immutable,
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
