import AccordAudit
import AccordTestSupport
import Foundation
import Testing

/// Issue 21: a witness that goes down is asked again with a growing, capped backoff rather than
/// at every witnessing tick; the gateway goes on signing and publishing checkpoints meanwhile,
/// says in its log how far behind the witness is, and the witness cosigns again once restarted.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct WitnessOutageTests {
    @Test func aStoppedWitnessIsRetriedWithBackoffAndCosignsAgainOnceRestarted() async throws {
        let witnessDirectory = try PackageRoot.temporaryDirectory("witness-outage")
        defer { try? FileManager.default.removeItem(at: witnessDirectory) }
        let witness = try await WitnessProcess(directory: witnessDirectory, name: "witness.test", tls: true)
        let operations = try FreePort.find()
        let served = try ServedGateway("witness-outage", operations: "127.0.0.1:\(operations)", yaml: [
            "audit: {checkpoint_interval_seconds: 1}",
            "log:",
            "  on_operations_listener: true",
            "  witness_interval_milliseconds: 200",
            "  witness_backoff_max_seconds: 2",
            "  witnesses:",
            "    - \(witness.configEntry)",
        ].joined(separator: "\n"))
        defer { served.remove() }
        let logURL = "http://127.0.0.1:\(operations)/v1/log"
        let logKey = try auditVerifierKey(served.pki)
        var witnessProcess = try await witness.start(following: logKey)
        defer { kill(witnessProcess.processIdentifier, SIGKILL) }
        let gateway = try await served.startServing()
        defer { kill(gateway.processIdentifier, SIGKILL) }

        try await served.sendReferrals(1)
        let first = try await cosignedCheckpoint(logURL, reaching: try await served.leafCount())
        #expect(first != nil, "the running witness never cosigned")

        kill(witnessProcess.processIdentifier, SIGTERM)
        _ = await witnessProcess.finish()
        let before = Self.unreachableLines(gateway.standardErrorSoFar)
        let started = ContinuousClock.now
        try await served.sendReferrals(2)
        let outageSize = try await served.leafCount()
        let published = try await served.publishedCheckpoint(logURL, reaching: outageSize)
        #expect(!published.contains("\u{2014} witness.test "), "a checkpoint signed while the witness was down carries its cosignature")
        // At least 6 s of outage (longer when a loaded machine is slow to publish). With the
        // backoff, the shortest waits are 0.1, 0.2, 0.4 and 0.8 s, then 1 s (half the 2 s cap):
        // at most 5 asks in the first 1.5 s and one a second after. Without it, one every 200 ms.
        try await Task.sleep(until: started + .seconds(6))
        let asks = Self.unreachableLines(gateway.standardErrorSoFar) - before
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        #expect(asks >= 2 && Double(asks) <= 5 + seconds.rounded(.up),
                "\(asks) asks of the stopped witness in \(seconds) s: \(gateway.standardErrorSoFar)")
        #expect(gateway.standardErrorSoFar.contains("uncosigned_leaves"), "the log does not say how far behind the witness is")

        witnessProcess = try await witness.start(following: logKey)
        let cosigned = try await cosignedCheckpoint(logURL, reaching: outageSize)
        #expect(cosigned != nil, "the restarted witness never cosigned the checkpoints signed while it was down")
        #expect(gateway.standardErrorSoFar.contains("witness answers again"))
        await served.stopServing(gateway)
    }

    static func unreachableLines(_ log: String) -> Int {
        log.components(separatedBy: "cannot reach witness").count - 1
    }

    /// Polls for up to a minute for a published checkpoint of at least `size` leaves that carries
    /// the witness's cosignature.
    private func cosignedCheckpoint(_ logURL: String, reaching size: UInt64) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let answer = try await ExternalProcess.run("curl", ["--silent", "--max-time", "2", "\(logURL)/checkpoint"])
            if let note = try? SignedNote(parsing: answer.standardOutput), let checkpoint = try? Checkpoint(text: note.text),
               checkpoint.size >= size, answer.standardOutput.contains("\u{2014} witness.test ") {
                return answer.standardOutput
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
