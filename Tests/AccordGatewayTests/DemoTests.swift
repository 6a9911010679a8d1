import AccordTestSupport
import Foundation
import Testing

/// `accord demo` on a fresh directory: makes its PKI, runs every exchange over real
/// connections, verifies the audit log, and prints plain text, line by line, when piped.
@Suite struct DemoTests {
    @Test func theDemoRunsEveryExchangeOnAFreshDirectory() async throws {
        let directory = try PackageRoot.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Agreements"),
                                                   withDestinationURL: PackageRoot.url.appendingPathComponent("Agreements"))
        let output = try await ExternalProcess.runDetached(
            PackageRoot.accordExecutable.path, ["demo", "--port", "0", "--console-port", "0", "--operations-port", "0", "--no-serve"], directory: directory)
        let text = output.standardOutput
        #expect(output.status == 0, "\(output.standardError)")
        #expect(!text.contains("\u{1B}["), "colour codes in piped output")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("Certificates/dev/ca.pem").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("var/accord.sqlite").path))

        // Four deliveries, each received and verified by its recipient; two refusals.
        #expect(text.components(separatedBy: "received and verified").count - 1 == 4, "\(text)")
        #expect(text.contains("accepted for nz.immigration under mbie-labour-inz-triage"))
        #expect(text.contains("held for the privacy officer"))
        #expect(text.contains("accepted for nz.oranga-tamariki under ot-police-s66c"))
        #expect(text.contains("accepted for au.abf under customs-abf-s318") && text.contains("IPP 12(1)(c)"))
        #expect(text.contains("refused 403 no-agreement"))
        #expect(text.contains("refused 403 signature-invalid"))
        #expect(text.contains("verified:") && text.contains("signed checkpoints consistent"))

        // What was withheld never reached a recipient: each withheld value appears once, as sent.
        for value in ["Ana Whaanga", "+64 21 555 0142", "14 Karaka Street, Papakura", "TG0098123", "untreated burn on the forearm", "Customs officer 4471"] {
            #expect(text.components(separatedBy: value).count - 1 == 1, "\(value) appears other than as sent")
        }
        // The passport Police disclosed to Immigration NZ arrives.
        #expect(text.components(separatedBy: "C4417730").count - 1 == 2)
    }

    /// Piped, each line arrives as it is printed. The demo here keeps serving and never exits
    /// by itself, so with stdout block-buffered nothing would arrive before the watchdog
    /// stopped it; the lines must all be read while it runs, then Ctrl-C (SIGINT) stops it.
    @Test func pipedOutputArrivesLineByLineWhileTheDemoRuns() async throws {
        let directory = try PackageRoot.temporaryDirectory("demo-piped")
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try BackgroundProcess(PackageRoot.accordExecutable.path, [
            "demo", "--port", "0", "--console-port", "0", "--operations-port", "0", "--pki", directory.appendingPathComponent("pki").path,
            "--agreements", PackageRoot.url.appendingPathComponent("Agreements").path,
            "--database", directory.appendingPathComponent("accord.sqlite").path,
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
