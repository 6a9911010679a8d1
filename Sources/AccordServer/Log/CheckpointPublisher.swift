import AccordAudit
import AccordStore
import Foundation

/// Which checkpoint `/v1/log/checkpoint` shows: the latest one that carries the cosignatures
/// the witnessing policy requires, with every witness's valid cosignature line appended
/// (docs/audit.md, "Witnesses"). Without witnesses it is the latest signed checkpoint.
struct CheckpointPublisher: Sendable {
    let store: any AuditReading & CosignatureStore
    let witnesses: [CosignatureVerifier]
    let required: Int

    /// Whether a checkpoint is published only once witnesses have cosigned it.
    var witnessed: Bool { !witnesses.isEmpty && required > 0 }

    /// The published note, or nil when no checkpoint meets the policy yet.
    func published() async throws -> String? {
        if !witnessed {
            guard let latest = try await store.latestCheckpoint() else { return nil }
            return try await cosigned(latest)
        }
        // A cosignature is kept by size: one made for a checkpoint since cut from the log does
        // not verify over the one now stored at that size, so the next size down is tried.
        for size in try await store.cosignedSizes(byAtLeast: required, of: witnesses.map(\.name), limit: 20) {
            guard let stored = try await store.checkpoint(size: size) else { continue }
            let note = try await cosigned(stored)
            if try validCosignatures(note) >= required { return note }
        }
        return nil
    }

    /// The first checkpoint covering leaf `index` that meets the same policy, with its note as
    /// published; nil when none does yet. Without it an agency could be handed a checkpoint the
    /// witnesses never saw: they are sent the latest one at each round, so one signed between
    /// two rounds is never cosigned, though a later one covering the same leaf is.
    func firstPublished(covering index: UInt64) async throws -> (checkpoint: StoredCheckpoint, note: String)? {
        if !witnessed {
            guard let first = try await store.firstCheckpoint(covering: index) else { return nil }
            return (first, try await cosigned(first))
        }
        for size in try await store.cosignedSizes(above: index, byAtLeast: required, of: witnesses.map(\.name), limit: 20) {
            guard let stored = try await store.checkpoint(size: size) else { continue }
            let note = try await cosigned(stored)
            if try validCosignatures(note) >= required { return (stored, note) }
        }
        return nil
    }

    private func validCosignatures(_ note: String) throws -> Int {
        let parsed = try SignedNote(parsing: note)
        return witnesses.filter { (try? $0.verifiedTime(of: parsed)) != nil }.count
    }

    /// `stored`'s note with the cosignatures kept for its size that verify over it.
    func cosigned(_ stored: StoredCheckpoint) async throws -> String {
        var note = try SignedNote(parsing: stored.note)
        for cosignature in try await store.cosignatures(checkpointSize: stored.size) {
            guard let line = try? SignedNote(parsing: note.text + "\n" + cosignature.signatureLine),
                  let witness = witnesses.first(where: { $0.name == cosignature.witness }),
                  (try? witness.verifiedTime(of: line)) != nil else { continue }
            note = try SignedNote(parsing: note.encoded + cosignature.signatureLine)
        }
        return note.encoded
    }
}
