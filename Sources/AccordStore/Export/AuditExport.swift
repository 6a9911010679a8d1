import AccordCore
public import AccordAudit
import Foundation

/// Writes the self-contained export a third party verifies without Accord, a page at a time,
/// so that memory stays bounded however old the log is (docs/audit.md, "Exports").
///
/// An export holds the verifier key, the latest signed checkpoint, the checkpoints that
/// bridge each audit key rotation (the first after it, which both keys sign) with consistency
/// proofs from each to the latest, and the chosen leaves as their canonical text with their
/// leaf hashes and inclusion proofs against the latest checkpoint, then a last line with the
/// number of entries. Leaves beyond the latest checkpoint are left out: nothing signed covers
/// them yet.
public enum AuditExport {
    public static let format = "accord-audit-export-v2"

    /// Leaves read, proved and written per step, unless a caller asks for another.
    public static let pageSize: UInt64 = 4_096

    /// The two ways an export is written: JSON Lines for verification, CSV for a spreadsheet.
    public enum Format: String, Sendable, CaseIterable {
        case jsonl
        case csv
    }

    /// What an export wrote.
    public struct Summary: Sendable {
        public let entries: Int
        /// The size of the checkpoint every entry is proved against; 0 before the first.
        public let treeSize: UInt64
        /// That checkpoint's signed note; nil before the first checkpoint.
        public let checkpoint: StoredCheckpoint?
    }

    /// Writes the leaves `query` selects (every leaf when nil) in `format`, handing `sink` one
    /// piece of text at a time. Audit key rotations go into every export: without them a
    /// verifier holding one key of the chain could not check a checkpoint signed by another.
    public static func write(
        from store: any AuditReading, origin: String, verifier: NoteVerifier, matching query: AuditQuery?,
        index: ProofIndex, as format: Format, pageSize: UInt64 = pageSize, to sink: (String) async throws -> Void
    ) async throws -> Summary {
        precondition(pageSize > 0, "an export reads at least one leaf a page")
        let latest = try await store.latestCheckpoint(trusting: verifier)?.stored
        let size = latest?.size ?? 0
        let rotations = try await store.query(AuditQuery(events: [.auditKeyRotated])).filter { $0.index < size }
        var bridges: [StoredCheckpoint] = []
        for rotation in rotations {
            if let bridge = try await store.firstCheckpoint(covering: rotation.index), bridge.size < size,
               !bridges.contains(where: { $0.size == bridge.size }) {
                bridges.append(bridge)
            }
        }

        var written = 0
        switch format {
        case .jsonl:
            try await sink(line(.object([
                "type": .string("log"), "format": .string(Self.format), "origin": .string(origin),
                "verifier_key": .string(verifier.verifierKey), "tree_size": .integer(Int64(size)),
            ])))
            for checkpoint in bridges + (latest.map { [$0] } ?? []) {
                try await sink(line(.object(["type": .string("checkpoint"), "size": .integer(Int64(checkpoint.size)), "note": .string(checkpoint.note)])))
            }
            let pairs = bridges.map { (size1: $0.size, size2: size) }
            for (pair, proof) in zip(pairs, try await index.consistencyProofs(pairs)) {
                try await sink(line(.object([
                    "type": .string("consistency"), "size1": .integer(Int64(pair.size1)), "size2": .integer(Int64(pair.size2)),
                    "proof": .array(proof.map(base64)),
                ])))
            }
        case .csv:
            try await sink("index,time,event,actor,message_id,from,to,agreement_id,reason,subjects,leaf_hash,tree_size,inclusion_proof,leaf\r\n")
        }

        var pages = LeafPages(store: store, query: query, rotations: rotations, size: size, pageSize: pageSize)
        while let page = try await pages.next() {
            let proofs = try await index.inclusionProofs(for: page.map(\.index), treeSize: size)
            var text = ""
            for (leaf, proof) in zip(page, proofs) {
                switch format {
                case .jsonl: text += try line(jsonEntry(leaf, proof, treeSize: size))
                case .csv: text += csvEntry(leaf, proof, treeSize: size)
                }
            }
            try await sink(text)
            written += page.count
        }
        if format == .jsonl {
            // Streamed over HTTP, an export cut short must not read as a smaller one.
            try await sink(line(.object(["type": .string("end"), "entries": .integer(Int64(written))])))
        }
        return Summary(entries: written, treeSize: size, checkpoint: latest)
    }

    /// The leaves of an export in index order, a page at a time: every leaf below the
    /// checkpoint's size, or the query's leaves there with the key rotations merged in.
    private struct LeafPages {
        let store: any AuditReading
        var matches: AuditQueryPages?
        var rotations: [AuditLeaf]
        let size: UInt64
        let pageSize: UInt64
        var next: UInt64 = 0

        init(store: any AuditReading, query: AuditQuery?, rotations: [AuditLeaf], size: UInt64, pageSize: UInt64) {
            self.store = store
            self.matches = query.map { AuditQueryPages(store, query: $0, below: size, pageSize: Int(pageSize)) }
            self.rotations = rotations
            self.size = size
            self.pageSize = pageSize
        }

        mutating func next() async throws -> [AuditLeaf]? {
            guard var matches else { return try await nextOfAll() }
            guard let found = try await matches.next() else { return nil }
            self.matches = matches
            let seen = Set(found.map(\.index))
            let bridging = rotations.filter { $0.index < matches.scanned && !seen.contains($0.index) }
            rotations.removeAll { $0.index < matches.scanned }
            return (found + bridging).sorted { $0.index < $1.index }
        }

        private mutating func nextOfAll() async throws -> [AuditLeaf]? {
            guard next < size else { return nil }
            let end = min(size, next + pageSize)
            let stored = try await store.leaves(in: next ..< end)
            guard stored.count == end - next, stored.last?.index == end - 1 else {
                throw StoreError(.corruptState, "the log's leaves \(next)..<\(end) are not all there; run `accord audit verify`")
            }
            next = end
            return try stored.map { stored throws(StoreError) in
                do { return try AuditLeaf(bytes: stored.bytes) } catch {
                    throw StoreError(.corruptState, "leaf \(stored.index) does not decode: \(error); run `accord audit verify`")
                }
            }
        }
    }

    private static func jsonEntry(_ leaf: AuditLeaf, _ proof: ProofIndex.Inclusion, treeSize: UInt64) -> JSONValue {
        .object([
            "type": .string("leaf"), "index": .integer(Int64(leaf.index)),
            "leaf": .string(String(decoding: leaf.bytes, as: UTF8.self)), "leaf_hash": base64(proof.leafHash),
            "tree_size": .integer(Int64(treeSize)), "proof": .array(proof.proof.map(base64)),
        ])
    }

    /// One CSV row (RFC 4180 quoting); the checkpoint and verifier key go beside the file.
    private static func csvEntry(_ leaf: AuditLeaf, _ proof: ProofIndex.Inclusion, treeSize: UInt64) -> String {
        let record = leaf.record
        let fields = [
            String(leaf.index), AuditTime.format(milliseconds: record.timeMilliseconds), record.event.rawValue, record.actor,
            record.messageID?.rawValue ?? "", record.from?.rawValue ?? "", record.to.joined(separator: " "), record.agreement?.id.rawValue ?? "",
            record.reason ?? "", record.subjects.map { "\($0.type):\($0.hmac)" }.joined(separator: " "),
            Data(proof.leafHash).base64EncodedString(), String(treeSize),
            proof.proof.map { Data($0).base64EncodedString() }.joined(separator: " "),
            String(decoding: leaf.bytes, as: UTF8.self),
        ]
        return fields.map(quote).joined(separator: ",") + "\r\n"
    }

    private static func base64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }

    private static func line(_ value: JSONValue) throws -> String {
        do { return try CanonicalJSON.string(value) + "\n" } catch {
            throw AuditError(.unsupportedJSONValue, error.reason)
        }
    }

    private static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
