import AccordTestSupport
import Foundation
import Testing

/// `accord agreements …` as an administrator runs it.
@Suite(.serialized) struct CommandTests {
    static let day = ["--date", "2026-06-01"]

    @Test func checkPassesOnTheShippedAgreementsAndFailsWithLocatedErrors() async throws {
        let ok = try await AccordProcess.run(["agreements", "check", "Agreements"] + Self.day)
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(ok.standardOutput.hasPrefix("ok: "))

        let copy = try AccordProcess.copyOfAgreements()
        defer { try? FileManager.default.removeItem(at: copy) }
        let file = copy.appendingPathComponent("customs-abf-s318.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "    ipp12_safeguard: ipp12-1c-comparable-laws\n", with: "")
            .replacingOccurrences(of: "handling: H2", with: "handling: H5")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let bad = try await AccordProcess.run(["agreements", "check", copy.path] + Self.day)
        #expect(bad.status == 1)
        let lines = bad.standardError.split(separator: "\n")
        #expect(lines.contains { $0.contains("customs-abf-s318.yaml:") && $0.hasSuffix("[overseas-without-safeguard]") })
        #expect(lines.contains { $0.contains("customs-abf-s318.yaml:") && $0.hasSuffix("[invalid-handling-code]") })
    }

    /// An active agreement past its valid_until passes the check (it is out of force, nothing
    /// more) with a note to change its status or renew it.
    @Test func checkNotesAnAgreementThatRanOutWithoutFailing() async throws {
        let copy = try AccordProcess.copyOfAgreements()
        defer { try? FileManager.default.removeItem(at: copy) }
        let file = copy.appendingPathComponent("customs-abf-s318.yaml")
        try String(contentsOf: file, encoding: .utf8)
            .replacingOccurrences(of: "valid_until: 2027-12-31", with: "valid_until: 2026-05-31")
            .replacingOccurrences(of: "review_by: 2026-12-31", with: "review_by: 2026-01-31")
            .write(to: file, atomically: true, encoding: .utf8)
        let run = try await AccordProcess.run(["agreements", "check", copy.path] + Self.day)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("note: 'customs-abf-s318' is active but ran out on 2026-05-31"), "\(run.standardOutput)")
    }

    @Test func testRunsTheShippedScenarios() async throws {
        let run = try await AccordProcess.run(["agreements", "test", "Agreements"] + Self.day)
        #expect(run.status == 0, "\(run.standardOutput)\(run.standardError)")
        #expect(run.standardOutput.hasSuffix(" passed, 0 failed\n"))
    }

    @Test func explainShowsTheRuleForEachClaim() async throws {
        let message = FileManager.default.temporaryDirectory.appendingPathComponent("accord-msg-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: message) }
        try Data("""
        {"iss": "nz.immigration", "accord": {"type": "referral", "to": ["nz.police"], "purpose": "law-enforcement",
         "classification": "IN-CONFIDENCE"}, "subject": {"family_name": "VALUE-1"}, "informant": {"name": "VALUE-2"}}
        """.utf8).write(to: message)
        let run = try await AccordProcess.run(["agreements", "explain", "--message", message.path, "--to", "nz.police"] + Self.day)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("agreement: inz-police-investigations"))
        #expect(run.standardOutput.contains("never_disclose: informant"))
        #expect(!run.standardOutput.contains("VALUE-"))
    }

    @Test func diffShowsWhatAChangeOpens() async throws {
        let copy = try AccordProcess.copyOfAgreements()
        defer { try? FileManager.default.removeItem(at: copy) }
        let file = copy.appendingPathComponent("police-abf-bali-process.yaml")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "status: draft", with: "status: active")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let run = try await AccordProcess.run(["agreements", "diff", "Agreements", copy.path] + Self.day)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("+ opened  nz.police -> au.abf, case-update, purpose law-enforcement under 'police-abf-bali-process'"))
    }
}
