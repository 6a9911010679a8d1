import AccordTestSupport
import Foundation
import Testing

/// `accord demo` on a fresh directory: makes its PKI, runs every exchange over real
/// connections (Customs to the ABF through a second, Australian gateway), verifies both audit
/// logs, and prints plain text, line by line, when piped.
@Suite struct DemoTests {
    /// The day the demo's exchanges are checked on: every shipped agreement is in force then,
    /// so the demo passes whatever the wall clock says (customs-abf-s318 lapses on 2028-01-01).
    static let pinnedDay = "2026-12-04"

    @Test func theDemoRunsEveryExchangeOnAFreshDirectory() async throws {
        let output = try await Self.runDemo(named: "demo")
        #expect(output.status == 0, "\(output.standardError)")
        try Self.expectEveryExchange(output)
    }

    /// The wall clock moved to 2028-06-01, after customs-abf-s318 lapses: pinned with `--at`,
    /// the demo runs as it did on its day, certificates made and checked on the moved clock;
    /// not pinned, the lapsed agreement's exchange is refused, so the pin is what carries it.
    @Test(.needsFakeTime) func theDemoPinnedWithAtPassesWhenTheWallClockIsPast2028() async throws {
        let later = try #require(ISO8601DateFormatter().date(from: "2028-06-01T00:00:00Z"))
        let days = Int(later.timeIntervalSinceNow / 86_400)
        #expect(days > 0, "the wall clock is past 2028-06-01 already; move this test's date on")
        // libfaketime also moves what Swift's timers wait on, so a forward's retries would
        // never wake: the pin is shown without the Australian gateway, au.abf pulling here.
        let environment = FakeTime.environment(offset: "+\(days)d")
        let pinned = try await Self.runDemo(named: "demo-2028", environment: environment, partner: false)
        #expect(pinned.status == 0, "\(pinned.standardError)")
        try Self.expectEveryExchange(pinned, federated: false)

        let unpinned = try await Self.runDemo(named: "demo-2028-unpinned", at: nil, environment: environment, partner: false)
        #expect(unpinned.standardOutput.contains("accepted for nz.immigration under mbie-labour-inz-triage"), "\(unpinned.standardOutput)")
        #expect(!unpinned.standardOutput.contains("accepted for au.abf under customs-abf-s318"), "\(unpinned.standardOutput)")
    }

    /// `accord demo --no-serve` in a fresh directory holding the shipped agreements, run on
    /// `at` (nil: on the wall clock) with `environment` set.
    static func runDemo(named name: String, at: String? = pinnedDay, environment: [String] = [], partner: Bool = true) async throws -> ExternalProcess.Output {
        let directory = try PackageRoot.temporaryDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Agreements"),
                                                   withDestinationURL: PackageRoot.url.appendingPathComponent("Agreements"))
        let arguments = ["demo", "--port", "0", "--console-port", "0", "--operations-port", "0", "--partner-port", "0", "--no-serve"]
            + (at.map { ["--at", $0] } ?? []) + (partner ? [] : ["--no-partner"])
        // Bounded: a demo that hangs fails the test (timeout's exit 124) instead of holding the run.
        let output = try await ExternalProcess.run("timeout", ["300", "env"] + environment + [PackageRoot.accordExecutable.path] + arguments,
                                                           directory: directory)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("Certificates/dev/ca.pem").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("var/accord.sqlite").path))
        // Both gateways' logs verify with `accord audit verify`, each with its own key and origin.
        let logs = [("var/accord.sqlite", "accord.local/audit", "Certificates/dev/gateway/signing-key.pem"),
                    ("var/au/accord.sqlite", "accord.local/au-audit", "var/au/pki/gateway/signing-key.pem")]
        for (database, origin, key) in logs.prefix(partner ? 2 : 1) {
            let verified = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                "audit", "verify", "--db", database, "--origin", origin, "--key", key,
            ], directory: directory)
            #expect(verified.status == 0 && verified.standardOutput.hasPrefix("verified:"), "\(database): \(verified.standardOutput)\(verified.standardError)")
        }
        return output
    }

    /// `federated`: whether the Australian gateway ran, so that the ABF's disclosure crossed to it.
    static func expectEveryExchange(_ output: ExternalProcess.Output, federated: Bool = true) throws {
        let text = output.standardOutput
        #expect(!text.contains("\u{1B}["), "colour codes in piped output")

        // Four deliveries, each received and verified by its recipient; two refusals.
        #expect(text.components(separatedBy: "received and verified").count - 1 == 4, "\(text)")
        #expect(text.contains("accepted for nz.immigration under mbie-labour-inz-triage"))
        #expect(text.contains("held for the privacy officer"))
        #expect(text.contains("accepted for nz.oranga-tamariki under ot-police-s66c"))
        #expect(text.contains("accepted for au.abf under customs-abf-s318") && text.contains("IPP 12(1)(c)"))
        #expect(text.contains("refused 403 no-agreement"))
        #expect(text.contains("refused 403 signature-invalid"))
        #expect(text.contains("verified:") && text.contains("signed checkpoints consistent"))

        // A flow to the ABF without an IPP 12 ground does not load, so nothing under it leaves.
        #expect(text.contains("refused before it leaves: customs-abf-s318.yaml:"), "\(text)")
        #expect(text.contains("overseas-without-safeguard: flow 1 sends to au.abf outside New Zealand"))

        // What was withheld never reached a recipient: each withheld value appears once, as sent.
        for value in ["Ana Whaanga", "+64 21 555 0142", "14 Karaka Street, Papakura", "TG0098123", "untreated burn on the forearm", "Customs officer 4471"] {
            #expect(text.components(separatedBy: value).count - 1 == 1, "\(value) appears other than as sent")
        }
        // The passport Police disclosed to Immigration NZ arrives.
        #expect(text.components(separatedBy: "C4417730").count - 1 == 2)
        // The passport Customs disclosed to the ABF was sent, and arrived once (at the Australian gateway when it ran).
        #expect(text.components(separatedBy: "HR7712094").count - 1 == 2)
        guard federated else {
            #expect(text.contains("partner: not started (--no-partner)"), "\(text)")
            return
        }

        // The disclosure to the ABF crosses to the Australian gateway, is pulled there and
        // verified, and each log names the other's leaf and checkpoint.
        #expect(text.contains("forwarded by this gateway to au.gateway, the Australian gateway on https://localhost:"), "\(text)")
        #expect(text.contains("au.abf received and verified at the Australian gateway (issuer signature, New Zealand gateway binding):"))
        let nzLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("   New Zealand log: leaf ") }, "\(text)")
        let auLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("   Australian log: leaf ") }, "\(text)")
        let nzNumbers = nzLine.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let auNumbers = auLine.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        // New Zealand's delivered leaf, its acknowledgement, Australia's leaf and checkpoint; and the reverse.
        try #require(nzNumbers.count == 4 && auNumbers.count == 3, "\(nzLine) / \(auLine)")
        #expect(nzNumbers[0] == auNumbers[1] && nzNumbers[2] == auNumbers[0], "\(nzLine) / \(auLine)")
        #expect(nzNumbers[3] > auNumbers[0] && auNumbers[2] > nzNumbers[0], "a named checkpoint does not hold its leaf: \(nzLine) / \(auLine)")

        #expect(text.contains("Audit log (New Zealand)") && text.contains("Audit log (the Australian gateway)"))
        #expect(text.components(separatedBy: "signed checkpoints consistent").count - 1 == 2, "\(text)")
    }

    /// Piped, each line arrives as it is printed. The demo here keeps serving and never exits
    /// by itself, so with stdout block-buffered nothing would arrive before the watchdog
    /// stopped it; the lines must all be read while it runs, then Ctrl-C (SIGINT) stops it.
    @Test func pipedOutputArrivesLineByLineWhileTheDemoRuns() async throws {
        let directory = try PackageRoot.temporaryDirectory("demo-piped")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try BackgroundProcess(PackageRoot.accordExecutable.path, [
            "demo", "--port", "0", "--console-port", "0", "--operations-port", "0", "--partner-port", "0",
            "--pki", directory.appendingPathComponent("pki").path,
            "--agreements", PackageRoot.url.appendingPathComponent("Agreements").path,
            "--database", directory.appendingPathComponent("accord.sqlite").path, "--at", Self.pinnedDay,
        ])
        // Ends the output (and so the reading below) if the lines never come, failing the test
        // instead of hanging it.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(120))
            kill(demo.processIdentifier, SIGKILL)
        }
        var lines: [String] = []
        while let line = await demo.readLine() {
            lines.append(line)
            if line.hasPrefix("Ctrl-C stops the gateway") { break }
        }
        watchdog.cancel()
        #expect(lines.first?.hasPrefix("Accord demo") == true, "\(lines)")
        #expect(lines.contains { $0.contains("received and verified") }, "\(lines)")
        #expect(lines.last?.hasPrefix("Ctrl-C stops the gateway") == true, "the demo's output did not arrive while it ran: \(lines)")

        kill(demo.processIdentifier, SIGINT)
        let stopped = await demo.finish()
        #expect(stopped.status == 0, "\(stopped.standardError)")
    }
}
