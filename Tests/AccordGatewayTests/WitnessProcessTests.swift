import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import GRDB
import Testing

/// Issue 21 with real processes: `accord serve`, `accord witness`, `accord audit monitor` and an
/// independent Python client. Normal traffic is cosigned and monitored clean; a database cut
/// and re-signed is refused by the witness and flagged by the monitor; a forked view is found
/// when two monitors compare.
@Suite(.serialized, .needs("curl", fromPackage: "curl"), .needsPython) struct WitnessProcessTests {
    @Test func trafficIsCosignedAndMonitoredCleanAndACutLogIsRefusedAndFlagged() async throws {
        let witnessDirectory = try PackageRoot.temporaryDirectory("witness")
        defer { try? FileManager.default.removeItem(at: witnessDirectory) }
        let witness = try await WitnessProcess(directory: witnessDirectory, name: "witness.test")
        let operations = try FreePort.find()
        let served = try ServedGateway("witnessed", operations: "127.0.0.1:\(operations)", yaml: [
            "audit: {checkpoint_interval_seconds: 1}",
            "log:",
            "  on_operations_listener: true",
            "  cosignatures_required: 1",
            "  witness_interval_milliseconds: 200",
            "  witnesses:",
            "    - \(witness.configEntry)",
        ].joined(separator: "\n"))
        defer { served.remove() }
        let logKey = try auditVerifierKey(served.pki)
        let witnessProcess = try await witness.start(following: logKey)
        defer { kill(witnessProcess.processIdentifier, SIGKILL) }
        let logURL = "http://127.0.0.1:\(operations)/v1/log"
        let accord = served.accord

        var gateway = try await served.startServing()
        try await served.sendReferrals(3)
        let size = try await served.leafCount()
        let published = try await served.publishedCheckpoint(logURL, reaching: size)
        #expect(published.contains("\u{2014} witness.test "), "\(published)")

        let monitorState = served.directory.appendingPathComponent("monitor.json").path
        let metrics = served.directory.appendingPathComponent("monitor.prom").path
        let monitor = [
            "audit", "monitor", "--url", logURL, "--verifier-key", logKey, "--witness-key", witness.verifierKey,
            "--state", monitorState, "--metrics-file", metrics, "--once",
        ]
        let clean = try await ExternalProcess.run(accord, monitor)
        #expect(clean.status == 0 && clean.standardOutput.hasPrefix("ok:"), "\(clean.standardOutput)\(clean.standardError)")
        let verified = try MonitorState.load(URL(fileURLWithPath: monitorState))?.size ?? 0
        #expect(verified >= size)
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("accord_monitor_verified_size \(verified)"))

        let python = try await ExternalProcess.python("tile_inclusion.py", [
            "--url", logURL, "--verifier-key", logKey, "--witness-key", witness.verifierKey, "--leaf", "2",
        ])
        #expect(python.status == 0 && python.standardOutput.hasPrefix("verified: leaf 2"), "\(python.standardOutput)\(python.standardError)")

        // Agencies read hashes and the proofs of their exchanges, not other agencies' entries.
        let entries = try await served.curl("/v1/log/tile/entries/000.p/1")
        #expect(entries.standardOutput.contains("entries-restricted"), "\(entries.standardOutput)")
        let proof = try await served.curl("/v1/proofs/inclusion?leaf=2")
        #expect(proof.standardOutput.contains("\"proof\"") && proof.standardOutput.contains("witness.test"), "\(proof.standardOutput)")

        await served.stopServing(gateway)
        let cosigned = try #require(try witness.cosignedSize())
        #expect(cosigned >= size)

        // The operator cuts the tail and deletes the later checkpoints; the gateway, restarted,
        // re-signs the shortened log with the audit key and grows it past the witnessed size.
        let cut = cosigned - 3
        try truncate(served.database, to: cut)
        gateway = try await served.startServing()
        try await served.sendReferrals(4)
        let refused = await eventually(timeout: .seconds(30)) {
            witnessProcess.standardErrorSoFar.contains("refused: not a consistent extension")
        }
        #expect(refused, "the witness never refused the re-signed log: \(witnessProcess.standardErrorSoFar)")
        #expect(try witness.cosignedSize() == cosigned, "the witness moved off the checkpoint it cosigned")

        let flagged = try await ExternalProcess.run(accord, monitor)
        #expect(flagged.status == 1, "\(flagged.standardOutput)\(flagged.standardError)")
        #expect(flagged.standardError.contains("ALARM rollback"),
                "\(flagged.standardError)")
        #expect(try String(contentsOfFile: metrics, encoding: .utf8).contains("accord_monitor_alarms_total{kind=\"fork\"} 0"))
        await served.stopServing(gateway)
    }

    @Test func aForkedViewIsFoundWhenMonitorsCompare() async throws {
        let operations = try FreePort.find()
        let served = try ServedGateway("forked", operations: "127.0.0.1:\(operations)",
                                       yaml: "audit: {checkpoint_interval_seconds: 1}\nlog: {on_operations_listener: true, entry_readers: [nz.immigration]}")
        defer { served.remove() }
        let logKey = try auditVerifierKey(served.pki)
        await served.stopServing(try await served.startServing())

        // The same log, the same audit key, on a second port: the view shown to someone else.
        let forkDatabase = served.directory.appendingPathComponent("fork.sqlite").path
        try FileManager.default.copyItem(atPath: served.database, toPath: forkDatabase)
        let forkPort = try FreePort.find()
        let forkOperations = try FreePort.find()
        let forkConfig = served.directory.appendingPathComponent("fork.yaml")
        try String(contentsOf: served.config, encoding: .utf8)
            .replacingOccurrences(of: "listen: 127.0.0.1:\(served.port)", with: "listen: 127.0.0.1:\(forkPort)")
            .replacingOccurrences(of: "127.0.0.1:\(operations)", with: "127.0.0.1:\(forkOperations)")
            .replacingOccurrences(of: "database: \(served.database)", with: "database: \(forkDatabase)")
            .write(to: forkConfig, atomically: true, encoding: .utf8)

        let main = try await served.startServing()
        let fork = try BackgroundProcess(served.accord, ["serve", "--config", forkConfig.path])
        defer { kill(fork.processIdentifier, SIGKILL) }
        try await served.sendReferrals(3)
        let mainSize = try await served.leafCount()
        _ = try await served.publishedCheckpoint("http://127.0.0.1:\(operations)/v1/log", reaching: mainSize)
        _ = try await served.publishedCheckpoint("http://127.0.0.1:\(forkOperations)/v1/log", reaching: 2)

        func monitor(_ port: Int, _ state: String, compare: [String] = []) async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(served.accord, [
                "audit", "monitor", "--url", "http://127.0.0.1:\(port)/v1/log", "--verifier-key", logKey,
                "--state", served.directory.appendingPathComponent(state).path, "--once",
            ] + compare.flatMap { ["--compare-with", served.directory.appendingPathComponent($0).path] })
        }
        // Each view on its own is a well-formed, correctly signed log.
        let first = try await monitor(operations, "police.json")
        let second = try await monitor(forkOperations, "commissioner.json")
        #expect(first.status == 0 && second.status == 0, "\(first.standardError)\(second.standardError)")
        let compared = try await monitor(operations, "police.json", compare: ["commissioner.json"])
        #expect(compared.status == 1 && compared.standardError.contains("ALARM fork"), "\(compared.standardOutput)\(compared.standardError)")

        // Over the agency API: an entry reader's monitor checks every leaf against its hash; an
        // agency that is not one cannot read the entries, so its monitor cannot verify them.
        func agencyMonitor(_ agency: String) async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(served.accord, [
                "audit", "monitor", "--url", "https://localhost:\(served.port)/v1/log", "--verifier-key", logKey, "--entries",
                "--as", agency, "--pki", served.pki.directory.path,
                "--state", served.directory.appendingPathComponent("\(agency).json").path, "--once",
            ])
        }
        let reader = try await agencyMonitor("nz.immigration")
        #expect(reader.status == 0 && reader.standardOutput.hasPrefix("ok:"), "\(reader.standardOutput)\(reader.standardError)")
        let outsider = try await agencyMonitor("nz.police")
        #expect(outsider.status == 1 && outsider.standardError.contains("ALARM unverifiable-leaf"), "\(outsider.standardOutput)\(outsider.standardError)")
        await served.stopServing(main)
        kill(fork.processIdentifier, SIGTERM)
        _ = await fork.finish()
    }

    // MARK: helpers

    /// What an operator with write access to the file can do: drop the append-only triggers,
    /// delete every leaf from `size` on and every checkpoint beyond it.
    private func truncate(_ path: String, to size: UInt64) throws {
        let database = try DatabaseQueue(path: path)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            for table in ["audit_leaf", "audit_party", "audit_subject", "audit_checkpoint"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(table)_refuse_delete")
            }
            try db.execute(sql: "DELETE FROM audit_party WHERE idx >= ?", arguments: [Int64(size)])
            try db.execute(sql: "DELETE FROM audit_subject WHERE idx >= ?", arguments: [Int64(size)])
            try db.execute(sql: "DELETE FROM audit_leaf WHERE idx >= ?", arguments: [Int64(size)])
            try db.execute(sql: "DELETE FROM audit_checkpoint WHERE size > ?", arguments: [Int64(size)])
            try db.execute(sql: "DELETE FROM tree_state")
        }
    }
}
