import AccordCore
import AccordAudit
import AccordConsole
import AccordPolicy
import AccordServer
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// Agencies, certificates and agreements, as an administrator.
@Suite struct AdministratorTests {
    @Test func agenciesListCertificatesWithExpiry() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (status, body) = try await client.page("/agencies", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(body.contains("urn:accord:agency:nz.police"))
            #expect(body.contains("dev/agencies/nz.police/tls.pem"))
            #expect(body.contains("urn:accord:operator:privacy-officer:officer"))
            #expect(body.contains("no certificate found"))  // agencies without development certificates here
            #expect(body.contains("days left"))
        }
    }

    /// A title saved in the directory after the gateway started: shown in the proposed set, escaped.
    @Test func agreementTitlesAreEscaped() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
        try await fixture.test { client in
            let text = try String(contentsOf: file, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix("title:") ? "title: \"\(ConsoleFixture.hostile) Immigration New Zealand\"" : String(line)
            }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(!body.contains("<script>"))
            #expect(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Immigration New Zealand"))
        }
    }

    @Test func validationErrorsShowWhereAndBlockActivation() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
        try await fixture.test { client in
            let (_, valid) = try await client.page("/agreements", ConsoleFixture.admin)
            let token = try #require(ConsoleFixture.csrf(in: valid))
            let reviewed = try #require(ConsoleFixture.field("digest", in: valid))
            try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "status: active", with: "status: activ")
                .write(to: file, atomically: true, encoding: .utf8)
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(body.contains("inz-police-investigations.yaml:4:"))
            #expect(body.contains("invalid-status"))
            #expect(!body.contains("Activate the proposed set"))
            // The version reviewed is not the one in the files any more: refused, with the files' problems.
            let (refused, refusedBody) = try await client.form("/agreements/activate", ConsoleFixture.admin, [("csrf", token), ("digest", reviewed)])
            #expect(refused == .conflict)
            #expect(refusedBody.contains("active set is unchanged") && refusedBody.contains("invalid-status"))
        }
        #expect(fixture.control.active.generation == ConsoleFixture.startedGeneration)
        #expect(try await fixture.records(.agreementsRejected).first?.actor == "urn:accord:operator:administrator:admin")
    }

    @Test func aDraftChangeIsReviewedThenActivated() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("mbie-labour-inz-triage.yaml")
        try await fixture.test { client in
            // The proposed change, saved while the gateway runs: the Labour Inspectorate triage agreement is suspended in the files.
            try #require(AgreementFileEdit.settingStatus(.suspended, in: String(contentsOf: file, encoding: .utf8)))
                .write(to: file, atomically: true, encoding: .utf8)
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(body.contains("The proposed set passes every check."))
            #expect(body.contains("<strong>Closes</strong> nz.mbie-labour -&gt; nz.immigration"))
            #expect(body.contains("Scenarios:"))
            #expect(body.contains("FAIL"))  // the shipped scenarios expect the triage flow open
            let token = try #require(ConsoleFixture.csrf(in: body))
            let reviewed = try #require(ConsoleFixture.field("digest", in: body))
            let (activated, activatedBody) = try await client.form("/agreements/activate", ConsoleFixture.admin, [("csrf", token), ("digest", reviewed)])
            #expect(activated == .ok)
            #expect(activatedBody.contains("generation \(ConsoleFixture.startedGeneration + 1)"))
            let (_, after) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(after.contains("No change in what may be sent today."))
        }
        #expect(fixture.control.active.generation == ConsoleFixture.startedGeneration + 1)
        #expect(fixture.control.active.policy.set.agreement(id: "mbie-labour-inz-triage")?.status == .suspended)
        #expect(try await fixture.records(.agreementsActivated).map(\.actor) == ["gateway", "urn:accord:operator:administrator:admin"])
    }

    @Test func anAgreementIsSuspendedFromTheConsole() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, page) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(page.contains("Suspend inz-police-investigations"))
            let token = try #require(ConsoleFixture.csrf(in: page))
            let (status, body) = try await client.form("/agreements/status", ConsoleFixture.admin,
                                                       [("csrf", token), ("agreement", "inz-police-investigations"), ("status", "suspended")])
            #expect(status == .ok)
            #expect(body.contains("now suspended"))
            let (bad, _) = try await client.form("/agreements/status", ConsoleFixture.admin,
                                                 [("csrf", token), ("agreement", "inz-police-investigations"), ("status", "expired")])
            #expect(bad == .badRequest)
        }
        #expect(fixture.control.active.policy.set.agreement(id: "inz-police-investigations")?.status == .suspended)
        let text = try String(contentsOf: fixture.agreements.appendingPathComponent("inz-police-investigations.yaml"), encoding: .utf8)
        #expect(text.contains("\nstatus: suspended\n"))
    }

    @Test func statusEditKeepsTheRestOfTheFile() {
        let text = "id: a\n# note\nstatus: active   # since 2026\nflows:\n  - status: x\n"
        #expect(AgreementFileEdit.settingStatus(.suspended, in: text) == "id: a\n# note\nstatus: suspended # since 2026\nflows:\n  - status: x\n")
        #expect(AgreementFileEdit.settingStatus(.suspended, in: "id: a\n") == nil)
    }
}
