import AccordAudit
import AccordServer
import AccordTestSupport
import Foundation
import Testing

/// Issue 21: a monitor given the log's keys over time follows an audit key rotation made under
/// it (`accord keys rotate audit` against a running gateway) instead of alarming; the same
/// monitor given only the old key alarms, so the rotation did reach what it checks.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct MonitorKeyRotationTests {
    @Test func aMonitorWithTheLogsKeysFollowsAnAuditKeyRotation() async throws {
        let operations = try FreePort.find()
        let served = try ServedGateway("monitor-rotation", operations: "127.0.0.1:\(operations)",
                                       yaml: "audit: {checkpoint_interval_seconds: 1}\nlog: {on_operations_listener: true}")
        defer { served.remove() }
        let logURL = "http://127.0.0.1:\(operations)/v1/log"
        let oldKey = try auditVerifierKey(served.pki)
        let state = served.directory.appendingPathComponent("monitor.json").path
        func monitor(_ keys: [String]) async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(served.accord, ["audit", "monitor", "--url", logURL, "--state", state, "--once"] + keys)
        }

        let server = try await served.startServing()
        try await served.sendReferrals(2)
        _ = try await served.publishedCheckpoint(logURL, reaching: try await served.leafCount())
        let before = try await monitor(["--verifier-key", oldKey])
        #expect(before.status == 0 && before.standardOutput.hasPrefix("ok:"), "\(before.standardOutput)\(before.standardError)")
        let verifiedBefore = try #require(try MonitorState.load(URL(fileURLWithPath: state))).size

        let rotated = try await ExternalProcess.run(served.accord, ["keys", "rotate", "audit", "--config", served.config.path])
        #expect(rotated.status == 0 && rotated.standardOutput.contains("rotated: audit leaf"), "\(rotated.standardOutput)\(rotated.standardError)")
        let newKey = try auditVerifierKey(served.pki)
        #expect(newKey != oldKey)
        try await served.sendReferrals(2)
        let size = try await served.leafCount()
        _ = try await served.publishedCheckpoint(logURL, reaching: size)

        let oldOnly = try await monitor(["--verifier-key", oldKey])
        #expect(oldOnly.status == 1 && oldOnly.standardError.contains("ALARM bad-signature"), "\(oldOnly.standardOutput)\(oldOnly.standardError)")
        #expect(try MonitorState.load(URL(fileURLWithPath: state))?.size == verifiedBefore, "the state moved past an alarm")

        let keyFile = served.directory.appendingPathComponent("log-keys.txt")
        try "# accord.local/audit, oldest first\n\(oldKey)\n\n\(newKey)  # since the rotation\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let followed = try await monitor(["--verifier-keys", keyFile.path])
        #expect(followed.status == 0 && followed.standardOutput.hasPrefix("ok:"), "\(followed.standardOutput)\(followed.standardError)")
        #expect(try MonitorState.load(URL(fileURLWithPath: state))?.size ?? 0 >= size)

        try await served.sendReferrals(1)
        _ = try await served.publishedCheckpoint(logURL, reaching: try await served.leafCount())
        let repeated = try await monitor(["--verifier-key", oldKey, "--verifier-key", newKey])
        #expect(repeated.status == 0 && repeated.standardOutput.hasPrefix("ok:"), "\(repeated.standardOutput)\(repeated.standardError)")

        try "\(oldKey)\nnot-a-key\n".write(to: keyFile, atomically: true, encoding: .utf8)
        let bad = try await monitor(["--verifier-keys", keyFile.path])
        #expect(bad.status != 0 && bad.standardError.contains("log-keys.txt, line 2"), "\(bad.standardError)")
        await served.stopServing(server)
    }
}
