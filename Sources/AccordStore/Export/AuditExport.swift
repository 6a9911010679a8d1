import AccordCore
public import AccordAudit
import Foundation

/// Builds the self-contained export a third party verifies without Accord: the verifier
/// key, every signed checkpoint, the chosen leaves as their canonical text with their leaf
/// hashes and inclusion proofs against the latest checkpoint, and consistency proofs between
/// successive checkpoints. One canonical JSON object per line.
public enum AuditExport {
    public static let format = "accord-audit-export-v1"

    /// One exported leaf with its proof.
    public struct Entry: Sendable {
        public let leaf: AuditLeaf
        public let leafHash: [UInt8]
        public let treeSize: UInt64
        public let proof: [[UInt8]]
    }

    /// The checkpoints, consistency proofs and entries of an export.
    public struct Bundle: Sendable {
        public let origin: String
        public let verifierKey: String
        public let checkpoints: [StoredCheckpoint]
        public let consistency: [(size1: UInt64, size2: UInt64, proof: [[UInt8]])]
        public let entries: [Entry]
    }

    /// Collects `leaves` (all, when nil) with proofs against the latest checkpoint. Leaves
    /// beyond the latest checkpoint are left out: nothing signed covers them yet.
    ///
    /// With `index`, chosen leaves' proofs and the consistency proofs come from it, reading
    /// only the leaf hashes they need; a full export reads every leaf anyway and rebuilds the
    /// tree from them.
    public static func collect(from store: some AccordStorage, origin: String, verifier: NoteVerifier,
                               leaves chosen: [AuditLeaf]?, index: ProofIndex? = nil) async throws(StoreError) -> Bundle {
        let checkpoints = try await store.checkpoints().sorted { $0.size < $1.size }
        // A filtered export carries the audit key rotations too: without them a verifier holding
        // one key of the chain could not check checkpoints signed by another.
        var selected = chosen
        if let chosen {
            let have = Set(chosen.map(\.index))
            let rotations = try await store.query(AuditQuery(events: [.auditKeyRotated])).filter { !have.contains($0.index) }
            if !rotations.isEmpty { selected = (chosen + rotations).sorted { $0.index < $1.index } }
        }
        if let selected, let index {
            return try await collect(selected, checkpoints: checkpoints, origin: origin, verifier: verifier, index: index)
        }
        let size = checkpoints.last?.size ?? 0
        let hasher = TreeHasher()
        var tree = MerkleTree()
        var all: [AuditLeaf] = []
        var next: UInt64 = 0
        while next < size {
            let page = try await store.leaves(in: next ..< min(size, next + 20_000))
            guard let last = page.last else { break }
            for stored in page {
                guard stored.index == tree.size else { break }
                tree.append(leafHash: stored.leafHash, using: hasher)
                if selected == nil {
                    do { all.append(try AuditLeaf(bytes: stored.bytes)) } catch {
                        throw StoreError(.corruptState, "leaf \(stored.index) does not decode: \(error)")
                    }
                }
            }
            guard tree.size == last.index + 1 else { break }
            next = tree.size
        }
        guard tree.size == size else {
            throw StoreError(.corruptState, "the log holds \(tree.size) leaves but its latest checkpoint covers \(size); run `accord audit verify`")
        }
        do {
            var consistency: [(UInt64, UInt64, [[UInt8]])] = []
            for (first, second) in zip(checkpoints, checkpoints.dropFirst()) where first.size > 0 && first.size < second.size {
                consistency.append((first.size, second.size, try tree.consistencyProof(size1: first.size, size2: second.size)))
            }
            let entries = try (selected ?? all).filter { $0.index < size }.map { leaf throws(AuditError) in
                Entry(leaf: leaf, leafHash: tree.leafHash(at: leaf.index), treeSize: size,
                      proof: try tree.inclusionProof(index: leaf.index, treeSize: size, using: hasher))
            }
            return Bundle(origin: origin, verifierKey: verifier.verifierKey, checkpoints: checkpoints, consistency: consistency, entries: entries)
        } catch {
            throw StoreError(.corruptState, "cannot build proofs: \(error)")
        }
    }

    private static func collect(_ selected: [AuditLeaf], checkpoints: [StoredCheckpoint], origin: String, verifier: NoteVerifier,
                                index: ProofIndex) async throws(StoreError) -> Bundle {
        let size = checkpoints.last?.size ?? 0
        let pairs = zip(checkpoints, checkpoints.dropFirst()).filter { $0.size > 0 && $0.size < $1.size }.map { ($0.size, $1.size) }
        let proofs = try await index.consistencyProofs(pairs)
        let chosen = selected.filter { $0.index < size }
        let included = chosen.isEmpty ? [] : try await index.inclusionProofs(for: chosen.map(\.index), treeSize: size)
        return Bundle(
            origin: origin, verifierKey: verifier.verifierKey, checkpoints: checkpoints,
            consistency: zip(pairs, proofs).map { ($0.0, $0.1, $1) },
            entries: zip(chosen, included).map { Entry(leaf: $0, leafHash: $1.leafHash, treeSize: size, proof: $1.proof) })
    }

    /// The JSON Lines text of a bundle.
    public static func jsonLines(_ bundle: Bundle) throws(AuditError) -> String {
        func b64(_ bytes: [UInt8]) -> JSONValue { .string(Data(bytes).base64EncodedString()) }
        var lines: [JSONValue] = [.object([
            "type": .string("log"), "format": .string(format), "origin": .string(bundle.origin),
            "verifier_key": .string(bundle.verifierKey),
        ])]
        for checkpoint in bundle.checkpoints {
            lines.append(.object(["type": .string("checkpoint"), "size": .integer(Int64(checkpoint.size)), "note": .string(checkpoint.note)]))
        }
        for item in bundle.consistency {
            lines.append(.object(["type": .string("consistency"), "size1": .integer(Int64(item.size1)),
                                  "size2": .integer(Int64(item.size2)), "proof": .array(item.proof.map(b64))]))
        }
        for entry in bundle.entries {
            lines.append(.object([
                "type": .string("leaf"), "index": .integer(Int64(entry.leaf.index)),
                "leaf": .string(String(decoding: entry.leaf.bytes, as: UTF8.self)), "leaf_hash": b64(entry.leafHash),
                "tree_size": .integer(Int64(entry.treeSize)), "proof": .array(entry.proof.map(b64)),
            ]))
        }
        var text = ""
        for line in lines {
            do { text += try CanonicalJSON.string(line) + "\n" } catch {
                throw AuditError(.unsupportedJSONValue, error.reason)
            }
        }
        return text
    }

    /// CSV of the entries (RFC 4180 quoting); the checkpoint and verifier key go beside it.
    public static func csv(_ bundle: Bundle) -> String {
        var text = "index,time,event,actor,message_id,from,to,agreement_id,reason,subjects,leaf_hash,tree_size,inclusion_proof,leaf\r\n"
        for entry in bundle.entries {
            let record = entry.leaf.record
            let fields = [
                String(entry.leaf.index), AuditTime.format(milliseconds: record.timeMilliseconds), record.event.rawValue, record.actor,
                record.messageID ?? "", record.from ?? "", record.to.joined(separator: " "), record.agreement?.id ?? "",
                record.reason ?? "", record.subjects.map { "\($0.type):\($0.hmac)" }.joined(separator: " "),
                Data(entry.leafHash).base64EncodedString(), String(entry.treeSize),
                entry.proof.map { Data($0).base64EncodedString() }.joined(separator: " "),
                String(decoding: entry.leaf.bytes, as: UTF8.self),
            ]
            text += fields.map(quote).joined(separator: ",") + "\r\n"
        }
        return text
    }

    private static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
