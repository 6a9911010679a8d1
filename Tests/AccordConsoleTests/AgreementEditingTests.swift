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

/// Writing agreements in the browser: a new draft from broken to active, edits, and what
/// the editor refuses.
@Suite struct AgreementEditingTests {
    static let draft = """
        id: mbie-police-referrals
        title: "\(ConsoleFixture.hostile) Labour Inspectorate referrals to Police"
        version: 1
        status: draft
        legal_basis:
          - instrument: Privacy Act 2020
            provision: s22, IPP 11(1)(e)(i)
            summary: Referral of suspected exploitation offences for investigation.
        parties: [nz.mbie-labour, nz.police]
        valid_from: 2026-01-01
        valid_until: 2027-12-31
        review_by: 2026-12-31
        flows:
          - from: [nz.mbie-labour]
            to: [nz.police]
            types: [referral]
            purposes: [labour-standards]
            max_classification: IN-CONFIDENCE
            handling: H1
            disclose:
              - subject.family_name

        """

    static let escapedTitle = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Labour Inspectorate"

    @Test func aNewDraftGoesFromBrokenToActiveInTheBrowser() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("mbie-police-referrals.yaml")
        try await fixture.test { client in
            let (_, list) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(list.contains("href=\"/agreements/new\""))
            #expect(list.contains("href=\"/agreements/edit?file=inz-police-investigations.yaml\""))
            let (status, form) = try await client.page("/agreements/new", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(form.contains("<label for=\"agreement-text\">"))
            #expect(try #require(ConsoleFixture.textarea(in: form)).contains("status: draft"))
            let token = try #require(ConsoleFixture.csrf(in: form))

            // Broken YAML: the problem is named by line, the text stays in the form, nothing is written.
            let broken = Self.draft.replacingOccurrences(of: "parties: [nz.mbie-labour, nz.police]", with: "parties: [nz.mbie-labour, nz.police")
            let (refused, refusedPage) = try await client.form("/agreements/save", ConsoleFixture.admin,
                                                               [("csrf", token), ("file", ""), ("text", broken)])
            #expect(refused == .unprocessableContent)
            #expect(refusedPage.contains("mbie-police-referrals.yaml:"))
            #expect(refusedPage.contains("yaml-syntax"))
            #expect(refusedPage.contains("Nothing was saved"))
            #expect(ConsoleFixture.textarea(in: refusedPage) == broken)
            #expect(!refusedPage.contains("<script>"))
            #expect(!FileManager.default.fileExists(atPath: file.path))

            // A check that needs the rest of the directory, named at its line with the line shown.
            let unknown = Self.draft.replacingOccurrences(of: "to: [nz.police]", with: "to: [nz.polise]")
            let (_, unknownPage) = try await client.form("/agreements/save", ConsoleFixture.admin,
                                                         [("csrf", token), ("file", ""), ("text", unknown)])
            #expect(unknownPage.contains("<code>mbie-police-referrals.yaml:15:"))
            #expect(unknownPage.contains("unknown-agency"))
            #expect(unknownPage.contains("<code class=\"excerpt\">    to: [nz.polise]</code>"))
            #expect(!FileManager.default.fileExists(atPath: file.path))

            // Fixed: written (with the browser's CR LF undone), and back to the agreements page.
            let (saved, location) = try await client.redirect("/agreements/save", ConsoleFixture.admin, [
                ("csrf", token), ("file", ""), ("text", Self.draft.replacingOccurrences(of: "\n", with: "\r\n")),
            ])
            #expect(saved == .seeOther)
            #expect(location == "/agreements?saved=mbie-police-referrals.yaml")
            #expect(try String(contentsOf: file, encoding: .utf8) == Self.draft)
            let (_, afterSave) = try await client.page(try #require(location), ConsoleFixture.admin)
            #expect(afterSave.contains("Saved <code>mbie-police-referrals.yaml</code>"))
            #expect(afterSave.contains("The proposed set passes every check."))
            #expect(afterSave.contains(Self.escapedTitle))
            #expect(afterSave.contains("Make mbie-police-referrals active"))
            #expect(!afterSave.contains("<script>"))

            // Edited to active: the change shows in what activation opens, then activation takes it live.
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
            let (_, editPage) = try await client.page("/agreements/edit?file=mbie-police-referrals.yaml", ConsoleFixture.admin)
            #expect(!editPage.contains("<script>"))
            let text = try #require(ConsoleFixture.textarea(in: editPage))
            #expect(text == Self.draft)
            let original = try #require(ConsoleFixture.field("original", in: editPage))
            let (edited, _) = try await client.redirect("/agreements/save", ConsoleFixture.admin, [
                ("csrf", token), ("file", "mbie-police-referrals.yaml"), ("original", original),
                ("text", text.replacingOccurrences(of: "status: draft", with: "status: active")),
            ])
            #expect(edited == .seeOther)
            #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int == 0o640)
            let (_, diff) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(diff.contains("<strong>Opens</strong> nz.mbie-labour -&gt; nz.police, referral, purpose labour-standards under <code>mbie-police-referrals</code>"))
            #expect(fixture.control.active.policy.set.agreement(id: "mbie-police-referrals") == nil)
            let reviewed = try #require(ConsoleFixture.field("digest", in: diff))
            let (activated, activatedPage) = try await client.form("/agreements/activate", ConsoleFixture.admin, [("csrf", token), ("digest", reviewed)])
            #expect(activated == .ok)
            #expect(activatedPage.contains("generation \(ConsoleFixture.startedGeneration + 1)"))
        }
        #expect(fixture.control.active.policy.set.agreement(id: "mbie-police-referrals")?.status == .active)
        #expect(try await fixture.records(.agreementsActivated).map(\.actor) == ["gateway", "urn:accord:operator:administrator:admin"])
    }

    @Test func aDraftCopiedFromAnAgreementIsMadeActive() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (status, form) = try await client.page("/agreements/new?from=inz-police-investigations", ConsoleFixture.admin)
            #expect(status == .ok)
            let text = try #require(ConsoleFixture.textarea(in: form))
            #expect(text.contains("\nid: inz-police-investigations-draft\n") || text.hasPrefix("id: inz-police-investigations-draft\n"))
            #expect(text.contains("\nstatus: draft\n"))
            let token = try #require(ConsoleFixture.csrf(in: form))
            let (saved, _) = try await client.redirect("/agreements/save", ConsoleFixture.admin, [("csrf", token), ("file", ""), ("text", text)])
            #expect(saved == .seeOther)
            // The template for a new draft passes the checks as it stands.
            let (_, blank) = try await client.page("/agreements/new", ConsoleFixture.admin)
            let (template, _) = try await client.redirect("/agreements/save", ConsoleFixture.admin, [
                ("csrf", token), ("file", ""), ("text", try #require(ConsoleFixture.textarea(in: blank))),
            ])
            #expect(template == .seeOther)
            let (_, page) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(page.contains("Make new-agreement active"))
            // Files changed after the page was shown: nothing comes into force, and the answer says
            // what making the draft active would now change.
            let reviewed = try #require(ConsoleFixture.field("digest", in: page))
            let police = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
            try (String(contentsOf: police, encoding: .utf8) + "# reviewed again\n").write(to: police, atomically: true, encoding: .utf8)
            let (stale, stalePage) = try await client.form("/agreements/status", ConsoleFixture.admin,
                                                           [("csrf", token), ("agreement", "new-agreement"), ("status", "active"), ("digest", reviewed)])
            #expect(stale == .conflict)
            #expect(stalePage.contains("changed since you reviewed them") && stalePage.contains("+ opened") && stalePage.contains("new-agreement"),
                    "\(stalePage)")
            #expect(fixture.control.active.policy.set.agreement(id: "new-agreement")?.status != .active)

            // The template's agreement, made active as reviewed now.
            let (_, again) = try await client.page("/agreements", ConsoleFixture.admin)
            let current = try #require(ConsoleFixture.field("digest", in: again))
            let (made, _) = try await client.form("/agreements/status", ConsoleFixture.admin,
                                                  [("csrf", token), ("agreement", "new-agreement"), ("status", "active"), ("digest", current)])
            #expect(made == .ok)
        }
        #expect(fixture.control.active.policy.set.agreement(id: "new-agreement")?.status == .active)
        // The gateway brings the one draft into force and nothing else from the directory: the
        // other draft is not in the set in force, and its file still says so.
        #expect(fixture.control.active.policy.set.agreement(id: "inz-police-investigations-draft") == nil)
        let other = try #require(try FileManager.default.contentsOfDirectory(at: fixture.agreements, includingPropertiesForKeys: nil)
            .first { (try? String(contentsOf: $0, encoding: .utf8))?.contains("id: inz-police-investigations-draft\n") == true })
        #expect(try String(contentsOf: other, encoding: .utf8).contains("\nstatus: draft\n"))
    }

    @Test func theEditorRefusesWhatItMustNotWrite() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let police = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
        let policeText = try String(contentsOf: police, encoding: .utf8)
        let registry = try String(contentsOf: fixture.agreements.appendingPathComponent("agencies.yaml"), encoding: .utf8)
        try await fixture.test { client in
            let (_, form) = try await client.page("/agreements/edit?file=inz-police-investigations.yaml", ConsoleFixture.admin)
            let token = try #require(ConsoleFixture.csrf(in: form))
            let original = try #require(ConsoleFixture.field("original", in: form))
            func save(_ fields: [(String, String)]) async throws -> HTTPResponse.Status {
                try await client.form("/agreements/save", ConsoleFixture.admin, [("csrf", token)] + fields).0
            }
            // Files outside the agreements: the registry, paths, names not listed.
            for name in ["agencies.yaml", "../Agreements/agencies.yaml", "schemas/referral.yaml", "/etc/passwd", "tests/overseas.yaml"] {
                #expect(try await save([("file", name), ("original", original), ("text", Self.draft)]) == .notFound, "\(name)")
                let (opened, _) = try await client.page("/agreements/edit?file=\(RouterClient.encode(name))", ConsoleFixture.admin)
                #expect(opened == .notFound, "\(name)")
            }
            // New files are named by a valid id that no file has yet.
            for id in ["../../tmp/x", "agencies", "Upper", "inz-police-investigations", ".hidden"] {
                let text = Self.draft.replacingOccurrences(of: "id: mbie-police-referrals", with: "id: \(id)")
                let status = try await save([("file", ""), ("text", text)])
                #expect(status == .unprocessableContent || status == .conflict, "\(id): \(status)")
            }
            // An edit may not turn one agreement's file into another agreement.
            #expect(try await save([("file", "inz-police-investigations.yaml"), ("original", original), ("text", Self.draft)]) == .unprocessableContent)
            // Too long, or changed by someone else since it was opened.
            let long = policeText + "# " + String(repeating: "x", count: 33 * 1024) + "\n"
            #expect(try await save([("file", "inz-police-investigations.yaml"), ("original", original), ("text", long)]) == .contentTooLarge)
            try (policeText + "# changed meanwhile\n").write(to: police, atomically: true, encoding: .utf8)
            let (conflict, conflictPage) = try await client.form("/agreements/save", ConsoleFixture.admin, [
                ("csrf", token), ("file", "inz-police-investigations.yaml"), ("original", original), ("text", policeText + "# mine\n"),
            ])
            #expect(conflict == .conflict)
            #expect(conflictPage.contains("changed by someone else"))
            #expect(ConsoleFixture.textarea(in: conflictPage) == policeText + "# mine\n")
        }
        #expect(try String(contentsOf: police, encoding: .utf8) == policeText + "# changed meanwhile\n")
        #expect(try String(contentsOf: fixture.agreements.appendingPathComponent("agencies.yaml"), encoding: .utf8) == registry)
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.agreements.path)
        #expect(!names.contains { $0.hasPrefix(".") || $0.hasPrefix("mbie-police") || $0.hasPrefix("Upper") })
        #expect(!FileManager.default.fileExists(atPath: "/tmp/x.yaml"))
    }

    /// Several administrators save the same file, each from the version they opened: one
    /// save wins, every other is told the file changed, and nothing is lost silently.
    @Test func concurrentSavesOfOneVersionLetExactlyOneThrough() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (_, form) = try await client.page("/agreements/edit?file=inz-police-investigations.yaml", ConsoleFixture.admin)
            let token = try #require(ConsoleFixture.csrf(in: form))
            let original = try #require(ConsoleFixture.field("original", in: form))
            let text = try #require(ConsoleFixture.textarea(in: form))
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        try await client.form("/agreements/save", ConsoleFixture.admin, [
                            ("csrf", token), ("file", "inz-police-investigations.yaml"), ("original", original), ("text", text + "# writer \(writer)\n"),
                        ]).0
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .seeOther }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            let saved = try String(contentsOf: fixture.agreements.appendingPathComponent("inz-police-investigations.yaml"), encoding: .utf8)
            #expect(saved.hasPrefix(text) && saved.components(separatedBy: "# writer ").count == 2)
        }
    }

    @Test func onlyAdministratorsWithTheFormTokenMayEdit() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (withoutToken, _) = try await client.form("/agreements/save", ConsoleFixture.admin, [("file", ""), ("text", Self.draft)])
            #expect(withoutToken == .forbidden)
            for headers in [ConsoleFixture.officer, ConsoleFixture.auditor] {
                let (_, own) = try await client.page("/integrity", headers)
                let token = try #require(ConsoleFixture.csrf(in: own))
                let (save, _) = try await client.form("/agreements/save", headers, [("csrf", token), ("file", ""), ("text", Self.draft)])
                #expect(save == .forbidden)
                for page in ["/agreements/new", "/agreements/edit?file=inz-police-investigations.yaml"] {
                    let (status, _) = try await client.page(page, headers)
                    #expect(status == .forbidden)
                }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.agreements.appendingPathComponent("mbie-police-referrals.yaml").path))
    }
}
