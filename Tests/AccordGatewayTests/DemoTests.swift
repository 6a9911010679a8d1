import AccordTestSupport
import Foundation
import Testing

/// `accord demo` on a fresh directory: makes its PKI, runs every exchange over real
/// connections, verifies the audit log, and prints plain text when piped.
@Suite struct DemoTests {
    @Test func theDemoRunsEveryExchangeOnAFreshDirectory() async throws {
        let directory = try PackageRoot.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Agreements"),
                                                   withDestinationURL: PackageRoot.url.appendingPathComponent("Agreements"))
        let output = try await ExternalProcess.runDetached(
            PackageRoot.accordExecutable.path, ["demo", "--port", "0", "--console-port", "0", "--no-serve"], directory: directory)
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
}
