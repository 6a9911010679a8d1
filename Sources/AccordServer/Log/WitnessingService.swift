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
/// the size it holds; the request is made again from there. A witness that cannot be reached
/// (no answer, or a 5xx) is asked again only after a backoff, while checkpoints go on being
/// signed and published; `accord_witness_uncosigned_leaves{witness}` shows how far behind it is.
struct WitnessingService: Service {
    struct Target: Sendable {
        let name: String
        let client: WitnessClient
        let verifier: CosignatureVerifier
    }

    let store: any AuditReading & CosignatureStore
    let index: ProofIndex
    let targets: [Target]
    let interval: Duration
    let backoff: WitnessBackoff
    let logger: Logger
    let factory: any MetricsFactory

    init(store: any AuditReading & CosignatureStore, index: ProofIndex, witnesses: [LogConfiguration.Witness],
         interval: Duration, backoffCap: Duration, factory: any MetricsFactory, logger: Logger) throws {
        self.store = store
        self.index = index
        targets = try witnesses.map { witness in
            do {
                return Target(name: witness.name, client: try WitnessClient(url: witness.url, caFile: witness.ca),
                              verifier: try CosignatureVerifier(verifierKey: witness.key))
            } catch {
                throw GatewayStartupError("log.witnesses '\(witness.name)': \(error)")
            }
        }
        self.interval = interval
        backoff = WitnessBackoff(base: interval, cap: max(interval, backoffCap))
        self.logger = logger
        self.factory = factory
    }

    /// `accord_witness_refusals_total{witness, status}`: checkpoints a witness would not cosign.
    private func countRefusal(_ witness: String, status: Int) {
        Counter(label: "accord_witness_refusals_total", dimensions: [("witness", witness), ("status", String(status))], factory: factory).increment()
    }

    /// `accord_witness_unreachable_total{witness}`: requests that got no answer, or a 5xx.
    private func countUnreachable(_ witness: String) {
        Counter(label: "accord_witness_unreachable_total", dimensions: [("witness", witness)], factory: factory).increment()
    }

    func run() async throws {
        let state = WitnessProgress()
        // So that after a restart the gauge counts from what each witness last cosigned, not from 0.
        for target in targets {
            if let size = try? await store.cosignedSizes(byAtLeast: 1, of: [target.name], limit: 1).first {
                await state.remember(target.name, cosigned: size)
            }
        }
        for await _ in AsyncTimerSequence(interval: interval).cancelOnGracefulShutdown() {
            guard let latest = try? await store.latestCheckpoint() else { continue }
            for target in targets {
                let behind = latest.size - min(latest.size, await state.lastCosigned(target.name))
                Gauge(label: "accord_witness_uncosigned_leaves", dimensions: [("witness", target.name)], factory: factory).record(Int64(behind))
                guard await state.cosigned(target.name) != latest.size, await state.due(target.name, at: .now) else { continue }
                await send(latest, to: target, state: state)
            }
        }
    }

    /// Puts the next request to `target` off, longer with each failure in a row.
    private func unreachable(_ target: Target, size: UInt64, reason: String, state: WitnessProgress) async {
        countUnreachable(target.name)
        let failures = await state.failed(target.name)
        let delay = backoff.delay(afterFailures: failures, jitter: Double.random(in: 0 ..< 1))
        await state.retry(target.name, at: .now + delay)
        let behind = size - min(size, await state.lastCosigned(target.name))
        logger.warning("cannot reach witness; asking again after a backoff", metadata: [
            "witness": "\(target.name)", "failures": "\(failures)", "retry_in_ms": "\(Int(delay / .milliseconds(1)))",
            "size": "\(size)", "uncosigned_leaves": "\(behind)", "reason": "\(reason.prefix(300))",
        ])
    }

    private func send(_ checkpoint: StoredCheckpoint, to target: Target, state: WitnessProgress) async {
        var oldSize = await state.known(target.name) ?? 0
        for _ in 0 ..< 2 {
            do {
                let proof = try await proof(from: oldSize, to: checkpoint.size)
                let request = AddCheckpointRequest(oldSize: oldSize, proof: proof, note: checkpoint.note)
                let answer = try await target.client.post("add-checkpoint", body: request.body)
                if answer.status >= 500 {
                    await unreachable(target, size: checkpoint.size, reason: "HTTP \(answer.status): \(answer.text)", state: state)
                    return
                }
                if await state.answered(target.name) > 0 {
                    logger.notice("witness answers again", metadata: ["witness": "\(target.name)", "size": "\(checkpoint.size)"])
                }
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
                await unreachable(target, size: checkpoint.size, reason: "\(error)", state: state)
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

/// Per witness: the size it is known to hold, the checkpoint size last settled (cosigned, or
/// refused) so that a checkpoint is sent once, the last size it cosigned, and how many requests
/// in a row found it unreachable, with when to ask it next.
actor WitnessProgress {
    private var sizes: [String: UInt64] = [:]
    private var settled: [String: UInt64] = [:]
    private var cosignedSizes: [String: UInt64] = [:]
    private var failures: [String: Int] = [:]
    private var retryAt: [String: ContinuousClock.Instant] = [:]

    func known(_ witness: String) -> UInt64? { sizes[witness] }
    func cosigned(_ witness: String) -> UInt64? { settled[witness] }
    func lastCosigned(_ witness: String) -> UInt64 { cosignedSizes[witness] ?? 0 }
    func due(_ witness: String, at now: ContinuousClock.Instant) -> Bool { retryAt[witness].map { now >= $0 } ?? true }

    /// Counts one more failure in a row; returns the count.
    func failed(_ witness: String) -> Int {
        failures[witness, default: 0] += 1
        return failures[witness]!
    }

    func retry(_ witness: String, at instant: ContinuousClock.Instant) { retryAt[witness] = instant }
    func remember(_ witness: String, cosigned size: UInt64) { cosignedSizes[witness] = size }

    /// The witness answered: returns the failures in a row that came before, and forgets them.
    func answered(_ witness: String) -> Int {
        defer {
            failures[witness] = nil
            retryAt[witness] = nil
        }
        return failures[witness] ?? 0
    }

    func record(_ witness: String, size: UInt64, cosigned: Bool, attempted: UInt64? = nil) {
        sizes[witness] = size
        if cosigned {
            settled[witness] = size
            cosignedSizes[witness] = size
        }
        if let attempted { settled[witness] = attempted }
    }
}
