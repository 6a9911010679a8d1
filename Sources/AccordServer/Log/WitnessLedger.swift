public import AccordAudit
public import Foundation
import AccordCore
import AccordCrypto

/// What a witness remembers: per log origin, the latest checkpoint it cosigned, one file each
/// in its state directory, replaced by atomic rename so that a crash leaves the old or the new
/// checkpoint and never half of one. Decisions and writes are serialised by the actor.
public actor WitnessLedger {
    let directory: URL
    let logs: [String: [NoteVerifier]]
    let cosigner: Cosigner
    private var latest: [String: Checkpoint] = [:]

    public init(directory: URL, logs: [NoteVerifier], cosigner: Cosigner) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logs = Dictionary(grouping: logs, by: \.name)
        self.cosigner = cosigner
        // The kept checkpoint is the witness's own memory, checked when it was cosigned; it is
        // read without its signature so that it outlives the log key it was signed with.
        for origin in self.logs.keys {
            let file = Self.file(for: origin, in: directory)
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let note = try String(contentsOf: file, encoding: .utf8)
            latest[origin] = try Checkpoint(text: SignedNote(parsing: note).text)
        }
    }

    /// The checkpoint last cosigned for `origin`.
    public func checkpoint(origin: String) -> Checkpoint? { latest[origin] }

    /// Decides on `request`; on `.cosign`, first makes the checkpoint durable, then returns the
    /// cosignature line with the decision.
    public func add(_ request: AddCheckpointRequest, now: Date = Date()) throws -> (WitnessDecision, String?) {
        let decision = WitnessDecision.decide(request, logs: logs) { origin in
            latest[origin].map { ($0.size, $0.rootHash) }
        }
        guard case .cosign(let checkpoint) = decision else { return (decision, nil) }
        let file = Self.file(for: checkpoint.origin, in: directory)
        try Data(request.note.utf8).write(to: file, options: .atomic)
        latest[checkpoint.origin] = checkpoint
        let line = try cosigner.cosign(checkpointText: checkpoint.text, time: UInt64(now.timeIntervalSince1970))
        return (decision, line)
    }

    /// Origins hold '/', so each file is named by the origin's SHA-256.
    static func file(for origin: String, in directory: URL) -> URL {
        directory.appendingPathComponent("checkpoint-" + Hex.encode(SHA256.hash(origin)))
    }
}
