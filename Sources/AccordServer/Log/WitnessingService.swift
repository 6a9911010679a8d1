import AccordAudit
import AccordGateway
import AccordStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Sends each new checkpoint to every configured witness with a consistency proof from the
/// last size that witness cosigned (C2SP tlog-witness `add-checkpoint`), and keeps the
/// cosignatures they return (docs/audit.md, "Witnesses"). A witness that answers 409 names
/// the size it holds; the request is made again from there.
struct WitnessingService: Service {
    struct Target: Sendable {
        let name: String
        let url: String
        let verifier: CosignatureVerifier
    }

    let store: any AuditReading & CosignatureStore
    let index: ProofIndex
    let targets: [Target]
    let interval: Duration
    let logger: Logger
    let factory: any MetricsFactory
    let client = LogHTTPClient()

    init(store: any AuditReading & CosignatureStore, index: ProofIndex, witnesses: [LogConfiguration.Witness],
         interval: Duration, factory: any MetricsFactory, logger: Logger) throws {
        self.store = store
        self.index = index
        targets = try witnesses.map { Target(name: $0.name, url: $0.url, verifier: try CosignatureVerifier(verifierKey: $0.key)) }
        self.interval = interval
        self.logger = logger
        self.factory = factory
    }

    /// `accord_witness_refusals_total{witness, status}`: checkpoints a witness would not cosign.
    private func countRefusal(_ witness: String, status: Int) {
        Counter(label: "accord_witness_refusals_total", dimensions: [("witness", witness), ("status", String(status))], factory: factory).increment()
    }

    func run() async throws {
        let state = WitnessProgress()
        for await _ in AsyncTimerSequence(interval: interval).cancelOnGracefulShutdown() {
            guard let latest = try? await store.latestCheckpoint() else { continue }
            for target in targets where await state.cosigned(target.name) != latest.size {
                await send(latest, to: target, state: state)
            }
        }
    }

    private func send(_ checkpoint: StoredCheckpoint, to target: Target, state: WitnessProgress) async {
        var oldSize = await state.known(target.name) ?? 0
        for _ in 0 ..< 2 {
            do {
                let proof = try await proof(from: oldSize, to: checkpoint.size)
                let request = AddCheckpointRequest(oldSize: oldSize, proof: proof, note: checkpoint.note)
                let answer = try await client.post(target.url + "/add-checkpoint", body: request.body)
                switch answer.status {
                case 200:
                    try await keep(answer.text, of: checkpoint, from: target)
                    await state.record(target.name, size: checkpoint.size, cosigned: true)
                    return
                case 409:
                    guard let size = UInt64(answer.text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                        logger.error("witness answered 409 without a size", metadata: ["witness": "\(target.name)"])
                        return
                    }
                    if size >= checkpoint.size {
                        await state.record(target.name, size: size, cosigned: false, attempted: checkpoint.size)
                    } else {
                        await state.record(target.name, size: size, cosigned: false)
                    }
                    if size > checkpoint.size {
                        // The witness holds a larger log than this gateway has: the log was cut.
                        logger.critical("a witness has cosigned a larger log than this gateway holds; the log was truncated",
                                        metadata: ["witness": "\(target.name)", "witness_size": "\(size)", "size": "\(checkpoint.size)"])
                        countRefusal(target.name, status: 409)
                        return
                    }
                    oldSize = size
                default:
                    logger.critical("witness refused the checkpoint", metadata: [
                        "witness": "\(target.name)", "status": "\(answer.status)", "size": "\(checkpoint.size)",
                        "reason": "\(answer.text.prefix(300))",
                    ])
                    countRefusal(target.name, status: answer.status)
                    // Not asked again for this size; a later checkpoint is tried afresh.
                    await state.record(target.name, size: oldSize, cosigned: false, attempted: checkpoint.size)
                    return
                }
            } catch {
                logger.warning("cannot reach witness", metadata: ["witness": "\(target.name)", "error": "\(error)"])
                return
            }
        }
    }

    private func proof(from old: UInt64, to new: UInt64) async throws -> [[UInt8]] {
        guard old > 0, old < new else { return [] }
        return try await index.consistencyProofs([(old, new)])[0]
    }

    /// Checks each cosignature line against the witness's key before keeping it.
    private func keep(_ lines: String, of checkpoint: StoredCheckpoint, from target: Target) async throws {
        let text = try SignedNote(parsing: checkpoint.note).text
        for line in lines.split(separator: "\n") where line.hasPrefix("\u{2014} ") {
            let note = try SignedNote(parsing: text + "\n" + line + "\n")
            guard (try? target.verifier.verifiedTime(of: note)) != nil else {
                logger.error("witness returned a cosignature that does not verify", metadata: ["witness": "\(target.name)"])
                continue
            }
            try await store.recordCosignature(StoredCosignature(
                checkpointSize: checkpoint.size, witness: target.name, signatureLine: line + "\n", receivedAt: Date()))
            logger.info("checkpoint cosigned", metadata: ["witness": "\(target.name)", "size": "\(checkpoint.size)"])
        }
    }
}

/// Per witness: the size it is known to hold, and the checkpoint size last settled (cosigned,
/// or refused), so that a checkpoint is sent once.
actor WitnessProgress {
    private var sizes: [String: UInt64] = [:]
    private var settled: [String: UInt64] = [:]

    func known(_ witness: String) -> UInt64? { sizes[witness] }
    func cosigned(_ witness: String) -> UInt64? { settled[witness] }

    func record(_ witness: String, size: UInt64, cosigned: Bool, attempted: UInt64? = nil) {
        sizes[witness] = size
        if cosigned { settled[witness] = size }
        if let attempted { settled[witness] = attempted }
    }
}
