import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// A gateway process killed with SIGKILL in the middle of a concurrent load loses nothing it
/// had acknowledged, and its log still verifies.
@Suite struct CrashTests {
    @Test func killedWriterLosesNothingAcknowledged() async throws {
        let accord = try ProcessHelpers.accordExecutable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("accord-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try PrivateKey.generate(.edDSA)
        let keyPath = directory.appendingPathComponent("key.pem").path
        try key.pemPKCS8().write(toFile: keyPath, atomically: true, encoding: .utf8)
        let dbPath = directory.appendingPathComponent("accord.sqlite").path

        let pipe = try ChildProcess.pipe()
        let reader = pipe.read
        let process = try ChildProcess(accord.path, ["audit", "load-test", "--db", dbPath, "--key", keyPath, "--concurrency", "32"],
                                       output: .descriptor(pipe.write))
        close(pipe.write)
        // Read on a Dispatch thread: blocking reads must not hold one of the few cooperative
        // threads that in-process servers of other tests need while the load test runs.
        let acknowledged: [UInt64: String] = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var acknowledged: [UInt64: String] = [:]
                var buffer = Data()
                while acknowledged.count < 1500 {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    buffer.append(chunk)
                    while let newline = buffer.firstIndex(of: 0x0A) {
                        let line = String(decoding: buffer[buffer.startIndex ..< newline], as: UTF8.self)
                        buffer.removeSubrange(buffer.startIndex ... newline)
                        let fields = line.split(separator: " ")
                        if fields.count == 3, fields[0] == "ack", let index = UInt64(fields[1]) { acknowledged[index] = String(fields[2]) }
                    }
                }
                continuation.resume(returning: acknowledged)
            }
        }
        kill(process.processIdentifier, SIGKILL)
        #expect(await process.wait() == .signalled(SIGKILL))
        #expect(acknowledged.count >= 1500, "the load test stopped early")

        let store = try SQLiteStore.open(path: dbPath, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        let stored = try await store.leaves(in: 0 ..< UInt64.max / 2)
        let byIndex = Dictionary(uniqueKeysWithValues: stored.map { ($0.index, $0) })
        for (index, message) in acknowledged {
            guard let leaf = byIndex[index] else { Issue.record("acknowledged leaf \(index) was lost"); continue }
            #expect(try AuditLeaf(bytes: leaf.bytes).record.messageID == MessageID(message))
            #expect(try await store.message(id: MessageID(message)) != nil)
        }
        let verifier = try NoteVerifier(name: "accord.local/audit", publicKey: key.publicKey)
        let outcome = try await store.verifyLog(origin: "accord.local/audit", verifier: verifier)
        guard case .verified(let summary) = outcome else { Issue.record("log does not verify after the crash: \(outcome)"); return }
        #expect(summary.leafCount >= UInt64(acknowledged.count))
        #expect(summary.checkpointsVerified > 0)
    }
}
