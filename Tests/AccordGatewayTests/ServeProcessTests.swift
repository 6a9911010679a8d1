import AccordCore
import AccordAudit
import AccordCrypto
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord serve` as an administrator runs it: a child process with a configuration file,
/// agreement changes through `accord agreements activate` (SIGHUP) without a restart, and a
/// graceful stop on SIGTERM.
@Suite(.serialized) struct ServeProcessTests {
    @Test(.needs("curl", fromPackage: "curl")) func agreementChangesTakeEffectWithoutARestartAndSIGTERMStopsCleanly() async throws {
        let served = try ServedGateway("serve", agreements: { directory in
            let copy = directory.appendingPathComponent("Agreements")
            try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: copy)
            return copy
        })
        defer { served.remove() }
        let (directory, agreements, pki, port, database, config, accord) =
            (served.directory, served.agreements, served.pki, served.port, served.database, served.config, served.accord)
        // Started with a low soft limit on open files, as some service managers and container
        // runtimes start it: the gateway raises it to the hard limit itself.
        let server = try BackgroundProcess("/bin/sh", ["-c", "ulimit -Sn 256 && exec \"$0\" \"$@\"", accord, "serve", "--config", config.path])
        try await served.waitUntilServing(server)
        let limits = try String(contentsOfFile: "/proc/\(server.processIdentifier)/limits", encoding: .utf8)
        let files = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }).split(separator: " ", omittingEmptySubsequences: true)
        #expect(files.count >= 5 && files[3] == files[4] && files[3] != "256", "\(files)")

        let content = directory.appendingPathComponent("referral.json")
        try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
        func send() async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(accord, [
                "send", "--as", "nz.immigration", "--gateway", "localhost:\(port)", "--pki", pki.directory.path,
                "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
            ])
        }
        #expect(try await send().status == 0)

        // A broken edit is refused before the gateway sees it; traffic goes on.
        let file = agreements.appendingPathComponent("inz-police-investigations.yaml")
        let original = try String(contentsOf: file, encoding: .utf8)
        try original.replacingOccurrences(of: "max_classification: SENSITIVE", with: "max_classification: VERY-SECRET").write(to: file, atomically: true, encoding: .utf8)
        let broken = try await ExternalProcess.run(accord, ["agreements", "activate", "--config", config.path])
        #expect(broken.status != 0 && broken.standardError.contains("inz-police-investigations.yaml:"), "\(broken.standardError)")
        #expect(try await send().status == 0)

        // Suspending the agreement closes the flow at once, with no restart.
        try original.replacingOccurrences(of: "status: active", with: "status: suspended").write(to: file, atomically: true, encoding: .utf8)
        let activated = try await ExternalProcess.run(accord, ["agreements", "activate", "--config", config.path])
        #expect(activated.status == 0 && activated.standardOutput.contains("activated"), "\(activated.standardOutput)\(activated.standardError)")
        let refused = try await send()
        #expect(refused.status != 0 && refused.standardError.contains("agreement-suspended"), "\(refused.standardError)")

        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
        let store = try SQLiteStore.open(path: database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        let events = try await store.query(AuditQuery(events: [.gatewayStarted, .gatewayStopped, .agreementsActivated])).map(\.record.event)
        #expect(events == [.agreementsActivated, .gatewayStarted, .agreementsActivated, .gatewayStopped], "\(events)")
    }

    /// With an agreement in the set past its `valid_until`, the gateway starts and restarts
    /// (it once refused to: the whole set was invalid), records the lapse once, and a restart
    /// brings back the set last activated, not an edit saved in the directory that nobody
    /// activated.
    @Test func aRestartBringsBackTheSetLastActivatedEvenWithALapsedAgreement() async throws {
        let served = try ServedGateway("serve-restart", agreements: { try AgreementLifecycleTests.agreementsWithALapsedOne(in: $0) })
        defer { served.remove() }
        let (directory, agreements, pki, port, database, config, accord) =
            (served.directory, served.agreements, served.pki, served.port, served.database, served.config, served.accord)
        let content = directory.appendingPathComponent("referral.json")
        try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
        func send() async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(accord, [
                "send", "--as", "nz.immigration", "--gateway", "localhost:\(port)", "--pki", pki.directory.path,
                "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
            ])
        }
        func serve() async throws -> BackgroundProcess {
            let server = try BackgroundProcess(accord, ["serve", "--config", config.path])
            try await served.waitUntilServing(server)
            return server
        }

        var server = try await serve()
        let first = try await send()
        #expect(first.status == 0, "\(first.standardError)")
        // Saved in the directory, never activated.
        try AgreementLifecycleTests.edit(agreements, "inz-police-investigations") {
            $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n")
        }
        kill(server.processIdentifier, SIGTERM)
        var exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")

        server = try await serve()
        let second = try await send()
        #expect(second.status == 0, "the restart brought an edit nobody activated into force: \(second.standardError)")

        // The administrator reviews the edit with `diff`; a change saved after that review is
        // not activated, and activation with the digest of the files as they now are is.
        let diff = try await ExternalProcess.run(accord, ["agreements", "diff", PackageRoot.url.appendingPathComponent("Agreements").path, agreements.path])
        let reviewed = try #require(diff.standardOutput.firstMatch(of: /files digest of .*: ([0-9a-f]{64})/)?.1, "\(diff.standardOutput)")
        try AgreementLifecycleTests.edit(agreements, "mbie-labour-inz-triage") {
            $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n")
        }
        let stale = try await ExternalProcess.run(accord, ["agreements", "activate", "--config", config.path, "--digest", String(reviewed)])
        #expect(stale.status != 0 && stale.standardError.contains("changed since they were reviewed")
                && stale.standardError.contains("- closed  nz.mbie-labour -> nz.immigration"), "\(stale.standardError)")
        #expect(try await send().status == 0)
        let current = try await ExternalProcess.run(accord, ["agreements", "diff", PackageRoot.url.appendingPathComponent("Agreements").path, agreements.path])
        let now = try #require(current.standardOutput.firstMatch(of: /files digest of .*: ([0-9a-f]{64})/)?.1)
        let activated = try await ExternalProcess.run(accord, ["agreements", "activate", "--config", config.path, "--digest", String(now)])
        #expect(activated.status == 0 && activated.standardOutput.contains("activated"), "\(activated.standardOutput)\(activated.standardError)")
        let refused = try await send()
        #expect(refused.status != 0 && refused.standardError.contains("agreement-suspended"), "\(refused.standardError)")
        kill(server.processIdentifier, SIGTERM)
        exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")

        let store = try SQLiteStore.open(path: database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        let lapsed = try await store.query(AuditQuery(agreementID: "customs-abf-s318")).filter { $0.record.event.rawValue == "agreement.expired" }
        #expect(lapsed.count == 1, "\(lapsed.map(\.record))")
        #expect(try await store.agreementSets().count == 2)
    }

    /// `accord serve` with `log_format: json` and its operations listener, as a container
    /// runs it: curl probes `/livez` and `/readyz` with no certificate, and every line on
    /// standard error is one JSON object with the five fields, none holding a claim value.
    @Test(.needs("curl", fromPackage: "curl")) func probesAnswerAndEveryLogLineIsAJSONObject() async throws {
        let operations = try FreePort.find()
        let served = try ServedGateway("serve-json", operations: "127.0.0.1:\(operations)", yaml: "log_format: json\nlog_level: debug")
        defer { served.remove() }
        let (directory, pki, port, config, accord) = (served.directory, served.pki, served.port, served.config, served.accord)
        let server = try BackgroundProcess(accord, ["serve", "--config", config.path])
        func probe(_ path: String) async throws -> String {
            try await ExternalProcess.run("curl", [
                "--silent", "--max-time", "2", "--write-out", "%{http_code}", "--output", "/dev/null", "http://127.0.0.1:\(operations)\(path)",
            ]).standardOutput
        }
        #expect(await eventuallyHolds(within: .seconds(60)) { try await probe("/livez") == "200" }, "/livez never answered")
        #expect(try await probe("/readyz") == "200")
        try await served.waitUntilServing(server)

        // A message with a claim value that must not reach the log, refused for want of an agreement.
        let content = directory.appendingPathComponent("referral.json")
        try Data(#"{"summary": "triage", "subject": {"family_name": "Vailahi-Logcheck"}}"#.utf8).write(to: content)
        _ = try await ExternalProcess.run(accord, [
            "send", "--as", "nz.customs", "--gateway", "localhost:\(port)", "--pki", pki.directory.path,
            "--to", "nz.oranga-tamariki", "--type", "referral", "--purpose", "law-enforcement", content.path,
        ])

        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
        let lines = exit.standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count >= 3, "\(exit.standardError)")
        var messages: [String] = []
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                Issue.record("not a JSON object: \(line)")
                continue
            }
            #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"], "\(line)")
            #expect((object["time"] as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) } != nil, "\(line)")
            #expect(["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(object["level"] as? String ?? ""), "\(line)")
            #expect(object["label"] as? String == "accord" && object["metadata"] is [String: Any], "\(line)")
            messages.append(object["message"] as? String ?? "")
        }
        #expect(messages.contains("agency API listening") && messages.contains("operations listening (livez, readyz)"), "\(messages)")
        #expect(!exit.standardError.contains("Vailahi-Logcheck"), "a claim value reached the log")
    }
}
