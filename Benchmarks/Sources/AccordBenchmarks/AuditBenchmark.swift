import AccordAudit
import AccordCore
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// `AccordBenchmarks audit`: appends per second with 1 and 64 (`--callers`) concurrent callers on a file
/// database at synchronous=FULL, and leaves verified per second by the one-pass verifier.
struct AuditBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit log appends and verification.")

    @Option(help: "Submissions for the single-caller run.")
    var single = 2_000

    @Option(help: "Submissions for the concurrent run.")
    var concurrent = 50_000

    @Option(help: "Callers in the concurrent run; each resumes only once its commit is durable.")
    var callers = 64

    @Option(help: "Leaves for the verification run.")
    var leaves = 1_000_000

    func run() async throws {
        let origin = "bench.accord/audit"
        let signer = try NoteSigner(name: origin, privateKey: PrivateKey.generate(.edDSA))
        for (callers, total) in [(1, single), (self.callers, concurrent)] {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("accord-bench-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let store = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: signer))
            let mode = try await store.synchronousMode()
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await store.run() }
                    try await withThrowingTaskGroup(of: Void.self) { workers in
                        for caller in 0 ..< callers {
                            workers.addTask {
                                for n in stride(from: caller, to: total, by: callers) {
                                    _ = try await store.accept(Self.submission("m\(n)"))
                                }
                            }
                        }
                        try await workers.waitForAll()
                    }
                    group.cancelAll()
                }
            }
            print(String(format: "appends, %2d caller(s), synchronous=%d: %9.0f submissions/s (%d in %.2f s)",
                         callers, mode, Double(total) / elapsed.seconds, total, elapsed.seconds))
            if callers > 1 {
                let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: origin, signer: nil))
                var outcome: LogVerifier.Outcome?
                let read = try await clock.measure { outcome = try await reader.verifyLog(origin: origin, verifier: signer.verifier) }
                guard case .verified(let summary) = outcome else { throw ValidationError("benchmark store did not verify: \(String(describing: outcome))") }
                print(String(format: "verify from SQLite: %9.0f leaves/s (%d leaves in %.2f s)",
                             Double(summary.leafCount) / read.seconds, summary.leafCount, read.seconds))
            }
        }

        let hasher = TreeHasher()
        var head = TreeHead()
        var stored: [(bytes: [UInt8], hash: [UInt8])] = []
        stored.reserveCapacity(leaves)
        let template = try AuditLeaf(index: 0, record: Self.record("m"))
        let record = Self.record("m")
        for index in 0 ..< leaves {
            let bytes = try AuditLeaf(index: UInt64(index), record: record).bytes
            let hash = hasher.leafHash(bytes)
            head.append(leafHash: hash, using: hasher)
            stored.append((bytes, hash))
        }
        let checkpoint = try Checkpoint(origin: origin, size: head.size, rootHash: head.root(using: hasher)).signed(by: signer).encoded
        let clock = ContinuousClock()
        var outcome: LogVerifier.Outcome?
        let elapsed = clock.measure {
            var verifier = LogVerifier(origin: origin, verifier: signer.verifier, checkpoints: [.init(sequence: 1, note: checkpoint)])
            for (index, leaf) in stored.enumerated() {
                verifier.consume(index: UInt64(index), leaf: leaf.bytes, storedHash: leaf.hash)
            }
            outcome = verifier.finish()
        }
        guard case .verified = outcome else { throw ValidationError("benchmark log did not verify: \(String(describing: outcome))") }
        print(String(format: "verify: %9.0f leaves/s (%d leaves of %d bytes in %.2f s)",
                     Double(leaves) / elapsed.seconds, leaves, template.bytes.count, elapsed.seconds))
    }

    static func record(_ id: String) -> AuditRecord {
        AuditRecord(event: .messageAccepted, time: Date(), actor: "nz-police", messageID: MessageID(id), from: "nz-police", to: ["immigration-nz"],
                    agreement: AgreementReference(id: "inz-police", versionDigest: "sha-256:0123456789abcdef"),
                    disclosed: ["subject.name", "subject.nationality"], withheld: ["subject.health"], reason: "allowed",
                    submissionDigest: "sha-256:" + String(repeating: "ab", count: 32))
    }

    // Built once: the benchmark measures the store, not the building of its inputs.
    static let sdJWT = String(repeating: "x", count: 1200)
    static let redacted = String(repeating: "y", count: 1300)
    static let digest = "sha-256:" + Hex.encode(SHA256.hash(sdJWT))

    static func submission(_ id: String) -> Submission {
        let now = Date()
        let envelope = DeliveryEnvelope(
            redacted: redacted, sender: "nz-police", type: "referral", purpose: "investigation", agreementID: "inz-police",
            agreementDigest: "sha-256:0123456789abcdef", withheld: ["subject.health"], receivedMilliseconds: AuditTime.milliseconds(now),
            handling: "restricted", subjects: [], binding: nil)
        return Submission(message: .init(id: MessageID(id), sender: "nz-police", sdJWT: sdJWT, submissionDigest: digest, receivedAt: now, retainUntil: now),
                          deliveries: [.init(id: DeliveryID(id + "/inz"), recipient: "immigration-nz", envelope: envelope)],
                          audit: [record(id)])
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
