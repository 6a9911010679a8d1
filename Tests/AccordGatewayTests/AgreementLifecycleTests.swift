import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Agreements change over time without stopping anything: a lapsed agreement is out of force
/// and nothing more, a suspension changes only the agreement named, and activation applies
/// exactly the version the administrator reviewed.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct AgreementLifecycleTests {
    /// A copy of the shipped agreements in which `customs-abf-s318` is active but ran out on
    /// 2025-12-31: a fixed day in the past, so the set holds a lapsed agreement whenever the
    /// test runs.
    static func agreementsWithALapsedOne(in directory: URL) throws -> URL {
        let agreements = directory.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        try edit(agreements, "customs-abf-s318") {
            $0.replacingOccurrences(of: "valid_until: 2027-12-31", with: "valid_until: 2025-12-31")
                .replacingOccurrences(of: "review_by: 2026-12-31", with: "review_by: 2025-06-30")
        }
        return agreements
    }

    static func edit(_ agreements: URL, _ id: String, _ change: (String) -> String) throws {
        let file = agreements.appendingPathComponent("\(id).yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = change(text)
        precondition(changed != text, "the edit of \(id) changed nothing")
        try changed.write(to: file, atomically: true, encoding: .utf8)
    }

    func curl(_ gateway: LiveGateway, _ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        let port = try #require(gateway.consolePort)
        let pki = gateway.pki
        return try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path,
            "--cert", pki.operatorCertificate("admin").path, "--key", pki.operatorKey("admin").path, "--write-out", "\n%{http_code}",
        ] + extra + ["https://localhost:\(port)\(path)"])
    }

    /// The day after its `valid_until`, an agreement is out of force: its flows are refused as
    /// `agreement-expired`, the lapse is audited once, and activations and suspensions go on
    /// (they once failed, the whole set being invalid, and a suspension was reverted).
    @Test func anAgreementThatRunsOutIsOutOfForceAuditedOnceAndStopsNothing() async throws {
        let scratch = try PackageRoot.temporaryDirectory("lifecycle-lapse")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = scratch.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        let clock = PinnedClock(Date())
        let today = CalendarDate(clock.now()).description
        try Self.edit(agreements, "inz-police-investigations") {
            $0.replacingOccurrences(of: "valid_until: 2029-06-30", with: "valid_until: \(today)")
                .replacingOccurrences(of: "review_by: 2027-06-30", with: "review_by: \(today)")
        }
        let fixture = try GatewayFixture(agreements: agreements, now: clock.now)
        try await fixture.closing {
            let gateway = fixture.gateway
            guard case .activated = try await gateway.activateAgreements(from: agreements, by: "test") else {
                Issue.record("the set did not activate")
                return
            }
            let accepted = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()),
                                                    from: "nz.immigration")
            #expect(accepted.recipients.map(\.status) == ["delivered"])

            clock.advance(86_400)
            await gateway.reconcileAgreements()
            await gateway.reconcileAgreements()
            let lapses = try await fixture.store.query(AuditQuery(agreementID: "inz-police-investigations", events: [.agreementExpired]))
            #expect(lapses.count == 1 && lapses.first?.record.actor == "gateway" && lapses.first?.record.reason == "valid-until-passed")

            let refused = await #expect(throws: GatewayProblem.self) {
                try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: clock.now()), from: "nz.immigration")
            }
            #expect(refused?.code == "agreement-expired" && refused?.status == 403)

            // A reload (SIGHUP, Activate) and an emergency suspension still go through.
            try Self.edit(agreements, "mbie-labour-inz-triage") { $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n") }
            guard case .activated = try await gateway.activateAgreements(from: agreements, by: "operator:sighup") else {
                Issue.record("a reload after the lapse was refused")
                return
            }
            let suspension = try await gateway.changeAgreement("customs-abf-s318", by: "test") {
                $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n")
            }
            guard case .activated = suspension else {
                Issue.record("the suspension after the lapse was refused: \(suspension)")
                return
            }
            let set = gateway.policy.current.policy.set
            #expect(set.agreement(id: "customs-abf-s318")?.status == .suspended && set.agreement(id: "mbie-labour-inz-triage")?.status == .suspended)
            #expect(set.agreement(id: "inz-police-investigations")?.status == .active)
            await gateway.reconcileAgreements()
            #expect(try await fixture.store.query(AuditQuery(events: [.agreementExpired])).count == 1)
        }
    }

    /// An emergency suspension from the console, with a lapsed agreement in the set and an edit
    /// saved in the directory that nobody activated: only the agreement named changes. Then
    /// Activate with the version reviewed before that edit is refused with 409 and the new diff;
    /// with the version reviewed after it, it applies.
    @Test func aSuspensionChangesOnlyTheNamedAgreementAndActivationAppliesTheReviewedVersion() async throws {
        let scratch = try PackageRoot.temporaryDirectory("lifecycle-console")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = try Self.agreementsWithALapsedOne(in: scratch)
        let gateway = try await LiveGateway.start(console: true, agreements: agreements)
        try await gateway.closing {
            let control = gateway.server.gateway
            let page = try await curl(gateway, "/agreements")
            #expect(page.httpStatus == 200, "\(page.standardOutput)")
            let token = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let reviewed = try #require(page.body.firstMatch(of: /name="digest" value="([0-9a-f]{64})"/)?.1)

            // Saved, not activated: the triage agreement suspended in its file.
            try Self.edit(agreements, "mbie-labour-inz-triage") { $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n") }

            let suspended = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=inz-police-investigations", "--data-urlencode", "status=suspended"])
            #expect(suspended.httpStatus == 200 && suspended.body.contains("now suspended"), "\(suspended.standardOutput)")
            let inForce = control.policy.current.policy.set
            #expect(inForce.agreement(id: "inz-police-investigations")?.status == .suspended)
            #expect(inForce.agreement(id: "mbie-labour-inz-triage")?.status == .active, "an edit nobody activated came into force")
            #expect(inForce.agreement(id: "customs-abf-s318")?.status == .active)
            let generation = control.policy.current.generation

            // The files are no longer the version reviewed: nothing is activated, and the page says what would change.
            let stale = try await curl(gateway, "/agreements/activate", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "digest=\(reviewed)"])
            #expect(stale.httpStatus == 409, "\(stale.standardOutput)")
            #expect(stale.body.contains("changed since you reviewed them") && stale.body.contains("closed  nz.mbie-labour -&gt; nz.immigration"),
                    "\(stale.body)")
            #expect(control.policy.current.generation == generation)
            #expect(control.policy.current.policy.set.agreement(id: "mbie-labour-inz-triage")?.status == .active)

            let again = try await curl(gateway, "/agreements")
            let current = try #require(again.body.firstMatch(of: /name="digest" value="([0-9a-f]{64})"/)?.1)
            #expect(current != reviewed)
            let applied = try await curl(gateway, "/agreements/activate", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "digest=\(current)"])
            #expect(applied.httpStatus == 200, "\(applied.standardOutput)")
            #expect(control.policy.current.policy.set.agreement(id: "mbie-labour-inz-triage")?.status == .suspended)
            // The suspension was written to the directory too, so this activation kept it.
            #expect(control.policy.current.policy.set.agreement(id: "inz-police-investigations")?.status == .suspended)

            let rejected = try await gateway.server.store.query(AuditQuery(events: [.agreementsRejected]))
            #expect(rejected.map(\.record.reason) == ["changed-since-review"])
        }
    }

    /// The privacy officer's Approve, through the console, while the agreement a held message
    /// was accepted under is suspended: refused with 409, and the message stays held.
    @Test func anOfficerCannotReleaseAHeldMessageWhileItsAgreementIsSuspended() async throws {
        let scratch = try PackageRoot.temporaryDirectory("lifecycle-held")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = scratch.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        let gateway = try await LiveGateway.start(console: true, agreements: agreements)
        try await gateway.closing {
            let pki = gateway.pki
            let text = try await heldMessage(gateway)
            let port = try #require(gateway.consolePort)
            func officer(_ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
                try await ExternalProcess.run("curl", [
                    "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path,
                    "--cert", pki.operatorCertificate("officer").path, "--key", pki.operatorKey("officer").path, "--write-out", "\n%{http_code}",
                ] + extra + ["https://localhost:\(port)\(path)"])
            }
            let page = try await curl(gateway, "/agreements")
            let token = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let suspended = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=inz-police-investigations", "--data-urlencode", "status=suspended"])
            #expect(suspended.httpStatus == 200, "\(suspended.standardOutput)")

            let held = try await officer("/held")
            let officerToken = try #require(held.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let approve = try await officer("/held/approve", ["--data-urlencode", "csrf=\(officerToken)",
                "--data-urlencode", "message=\(text.message)", "--data-urlencode", "delivery=\(text.delivery)"])
            #expect(approve.httpStatus == 409 && approve.body.contains("agreement-suspended"), "\(approve.standardOutput)")
            #expect(try await gateway.server.store.delivery(id: DeliveryID(text.delivery))?.state == .held)
            #expect(try await gateway.server.store.query(AuditQuery(events: [.messageReleased])).isEmpty)
        }
    }

    /// A draft written in the console's editor and never activated, made active from the
    /// Agreements page against the running gateway: it comes into force as written, nothing
    /// else saved in the directory comes with it, the file says active, and the audit log
    /// names the administrator. (The real control once refused any agreement not already in
    /// the set in force, so the button did nothing but fail.)
    @Test func aDraftWrittenInTheEditorIsMadeActive() async throws {
        let scratch = try PackageRoot.temporaryDirectory("lifecycle-draft")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = try AgreementsInForce.copy(into: scratch)
        let gateway = try await LiveGateway.start(console: true, agreements: agreements)
        try await gateway.closing {
            let control = gateway.server.gateway
            let editor = try await curl(gateway, "/agreements/new")
            #expect(editor.httpStatus == 200, "\(editor.standardOutput)")
            let token = try #require(editor.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let saved = try await curl(gateway, "/agreements/save", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "file=",
                                                                      "--data-urlencode", "text=\(Self.draft(today: Date()))"])
            #expect(saved.httpStatus == 303, "\(saved.standardOutput)")
            // Saved, not activated: an edit elsewhere in the directory that must stay out of force.
            try Self.edit(agreements, "mbie-labour-inz-triage") { $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n") }

            let page = try await curl(gateway, "/agreements")
            #expect(page.body.contains("Make mbie-police-referrals active"), "\(page.body)")
            #expect(control.policy.current.policy.set.agreement(id: "mbie-police-referrals") == nil)
            let reviewed = try #require(page.body.firstMatch(of: /name="digest" value="([0-9a-f]{64})"/)?.1)

            // Without the version reviewed, or with one the draft has changed since, nothing comes into force.
            let unreviewed = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=mbie-police-referrals", "--data-urlencode", "status=active"])
            #expect(unreviewed.httpStatus == 400 && unreviewed.body.contains("no reviewed version"), "\(unreviewed.standardOutput)")
            try Self.edit(agreements, "mbie-police-referrals") {
                $0.replacingOccurrences(of: "      - subject.family_name\n", with: "      - subject.family_name\n      - subject.date_of_birth\n")
            }
            let stale = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=mbie-police-referrals", "--data-urlencode", "status=active", "--data-urlencode", "digest=\(reviewed)"])
            #expect(stale.httpStatus == 409 && stale.body.contains("changed since you reviewed them"), "\(stale.standardOutput)")
            #expect(stale.body.contains("opened  nz.mbie-labour -&gt; nz.police") && stale.body.contains("subject.date_of_birth"), "\(stale.body)")
            #expect(control.policy.current.policy.set.agreement(id: "mbie-police-referrals") == nil)

            let again = try await curl(gateway, "/agreements")
            let current = try #require(again.body.firstMatch(of: /name="digest" value="([0-9a-f]{64})"/)?.1)
            let made = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=mbie-police-referrals", "--data-urlencode", "status=active", "--data-urlencode", "digest=\(current)"])
            #expect(made.httpStatus == 200 && made.body.contains("now active"), "\(made.standardOutput)")

            let inForce = control.policy.current.policy.set
            #expect(inForce.agreement(id: "mbie-police-referrals")?.status == .active)
            #expect(inForce.agreement(id: "mbie-police-referrals")?.flows.first?.disclose.contains("subject.date_of_birth") == true,
                    "the version made active is not the version reviewed")
            #expect(inForce.agreement(id: "mbie-labour-inz-triage")?.status == .active, "an edit nobody activated came into force")
            let file = try String(contentsOf: agreements.appendingPathComponent("mbie-police-referrals.yaml"), encoding: .utf8)
            #expect(file.contains("\nstatus: active\n"))
            let activated = try await gateway.server.store.query(AuditQuery(events: [.agreementsActivated])).last?.record
            #expect(activated?.actor == "urn:accord:operator:administrator:admin")
            #expect(activated?.details["agreement_ids"]?.split(separator: ",").contains("mbie-police-referrals") == true)

            // Making it active again, or a draft that does not exist, is refused and changes nothing.
            let generation = control.policy.current.generation
            let latest = try #require(try await curl(gateway, "/agreements").body.firstMatch(of: /name="digest" value="([0-9a-f]{64})"/)?.1)
            let missing = try await curl(gateway, "/agreements/status", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "agreement=no-such-draft", "--data-urlencode", "status=active", "--data-urlencode", "digest=\(latest)"])
            #expect(missing.httpStatus == 500 && missing.body.contains("neither in the set in force nor a draft"), "\(missing.standardOutput)")
            #expect(control.policy.current.generation == generation)
        }
    }

    /// A new agreement as an administrator writes it in the editor, in force from before
    /// `today` for a year after it.
    static func draft(today: Date) -> String { """
        id: mbie-police-referrals
        title: Labour Inspectorate referrals to Police
        version: 1
        status: draft
        legal_basis:
          - instrument: Privacy Act 2020
            provision: s22, IPP 11(1)(e)(i)
            summary: Referral of suspected exploitation offences for investigation.
        parties: [nz.mbie-labour, nz.police]
        valid_from: \(AgreementsInForce.day(today, plus: -30))
        valid_until: \(AgreementsInForce.day(today, plus: 365))
        review_by: \(AgreementsInForce.day(today, plus: 180))
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
    }

    /// Police to INZ for victim protection, held for a privacy officer, sent with `accord send`.
    func heldMessage(_ gateway: LiveGateway) async throws -> (message: String, delivery: String) {
        let content = gateway.directory.appendingPathComponent("victim.json")
        try Data(#"{"subject": {"family_name": "Tupou"}, "victim_status": "suspected-victim"}"#.utf8).write(to: content)
        let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "send", "--as", "nz.police", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path, "--to", "nz.immigration",
            "--type", "referral", "--purpose", "victim-protection", "--classification", "SENSITIVE", "--json", content.path,
        ])
        try #require(sent.status == 0, "accord send: \(sent.standardError)")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
        let delivery = try #require((receipt["recipients"] as? [[String: Any]])?.first?["delivery_id"] as? String)
        return (try #require(receipt["message_id"] as? String), delivery)
    }
}
