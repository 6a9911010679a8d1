import AccordAudit
import AccordCore
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord agreements impact` over the audit log the demo's traffic wrote, and activation of a
/// set that breaks a property, as an administrator meets them.
@Suite(.serialized) struct ImpactAndPropertiesTests {
    /// A draft copied from `agreements`, changed by `edit` (file name, text in, text out).
    static func draft(from agreements: URL, in directory: URL, _ name: String,
                      edit: [String: (String) -> String]) throws -> URL {
        let draft = directory.appendingPathComponent(name)
        try FileManager.default.copyItem(at: agreements, to: draft)
        for (file, change) in edit {
            let url = draft.appendingPathComponent(file)
            let text = try String(contentsOf: url, encoding: .utf8)
            let changed = change(text)
            #expect(changed != text, "the edit of \(file) changed nothing")
            try changed.write(to: url, atomically: true, encoding: .utf8)
        }
        return draft
    }

    static func impact(_ draft: URL, database: URL, in directory: URL) async throws -> [String: Any] {
        let run = try await ExternalProcess.run(
            PackageRoot.accordExecutable.path, ["agreements", "impact", draft.path, "--db", database.path, "--json"], directory: directory)
        #expect(run.status == 0, "\(run.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
    }

    @Test func theDemoTrafficReplayedAgainstDraftsShowsWithheldClaimsAndClosedFlows() async throws {
        let directory = try PackageRoot.temporaryDirectory("impact")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = try AgreementsInForce.copy(into: directory)
        let demo = try await ExternalProcess.run(
            PackageRoot.accordExecutable.path, ["demo", "--port", "0", "--console-port", "0", "--operations-port", "0", "--no-serve"],
            directory: directory)
        #expect(demo.status == 0, "\(demo.standardError)")
        let database = directory.appendingPathComponent("var/accord.sqlite")

        // What the log holds, read here through the store's own search, not the impact query.
        let store = try SQLiteStore.open(path: database.path, configuration: StoreConfiguration(origin: "test", signer: nil))
        let accepted = try await store.query(AuditQuery(events: [.messageAccepted])).map(\.record)
        let passportToImmigration = accepted.filter {
            $0.from == "nz.police" && $0.to == ["nz.immigration"] && $0.disclosed.contains("subject.passport_number")
        }
        let customsToABF = accepted.filter { $0.agreement?.id == "customs-abf-s318" }
        try #require(!passportToImmigration.isEmpty && !customsToABF.isEmpty, "the demo no longer sends these; \(accepted.count) accepted")

        let refused = try await store.query(AuditQuery(events: [.messageDenied])).map(\.record).filter { $0.details["stage"] == "policy" }
        let labourToCustoms = refused.filter { $0.from == "nz.mbie-labour" && $0.to == ["nz.customs"] }
        try #require(labourToCustoms.count == 1, "the demo no longer sends Labour Inspectorate to Customs; \(refused.count) refused")
        // A refusal records what a replay needs: the classification and the declared paths offered.
        #expect(labourToCustoms[0].details["classification"] == "IN-CONFIDENCE")
        #expect(labourToCustoms[0].withheld.contains("summary"), "\(labourToCustoms[0].withheld)")

        // The set as it is: nothing would have been different.
        let same = try await Self.impact(agreements, database: database, in: directory)
        #expect(same["decisions"] as? Int == accepted.count + refused.count)
        #expect(same["refusals_without_classification"] as? Int == 0)
        for key in ["flows_opened", "flows_closed", "claims_newly_disclosed", "claims_newly_withheld"] {
            #expect((same[key] as? [Any])?.isEmpty == true, "\(key): \(same[key] ?? "missing")")
        }

        // Police stop disclosing passport numbers to Immigration NZ.
        let withholding = try Self.draft(from: agreements, in: directory, "draft-passport", edit: [
            "inz-police-investigations.yaml": { $0.replacingOccurrences(of: "      - subject.passport_number\n", with: "") },
        ])
        let withheld = try await Self.impact(withholding, database: database, in: directory)
        let claims = try #require(withheld["claims_newly_withheld"] as? [[String: Any]])
        #expect(claims.count == 1, "\(claims)")
        let claim = try #require(claims.first)
        #expect(claim["path"] as? String == "subject.passport_number")
        #expect(claim["from"] as? String == "nz.police" && claim["to"] as? String == "nz.immigration")
        #expect(claim["messages"] as? Int == passportToImmigration.count)
        #expect((withheld["flows_closed"] as? [Any])?.isEmpty == true)

        // The triage agreement takes Customs in: the refused flow opens, and the report names
        // each claim it would have disclosed.
        let opening = try Self.draft(from: agreements, in: directory, "draft-opened", edit: [
            "mbie-labour-inz-triage.yaml": {
                $0.replacingOccurrences(of: "parties: [nz.mbie-labour, nz.immigration]", with: "parties: [nz.mbie-labour, nz.immigration, nz.customs]")
                    .replacingOccurrences(of: "    to: [nz.immigration, nz.mbie-labour]\n    types: [referral, indicator-report]",
                                          with: "    to: [nz.immigration, nz.mbie-labour, nz.customs]\n    types: [referral, indicator-report]")
            },
        ])
        let opened = try await Self.impact(opening, database: database, in: directory)
        let flows = try #require(opened["flows_opened"] as? [[String: Any]])
        #expect(flows.count == 1, "\(flows)")
        #expect(flows.first?["from"] as? String == "nz.mbie-labour" && flows.first?["to"] as? String == "nz.customs")
        #expect(flows.first?["agreement"] as? String == "mbie-labour-inz-triage")
        let newlyDisclosed = try #require(opened["claims_newly_disclosed"] as? [[String: Any]])
        #expect(newlyDisclosed.contains { $0["to"] as? String == "nz.customs" && $0["path"] as? String == "summary" && $0["messages"] as? Int == 1 },
                "\(newlyDisclosed)")
        #expect(newlyDisclosed.allSatisfy { $0["to"] as? String == "nz.customs" })

        // The Customs disclosure to the ABF is suspended: its flow closes, for every message it carried.
        let suspending = try Self.draft(from: agreements, in: directory, "draft-suspended", edit: [
            "customs-abf-s318.yaml": { $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n") },
        ])
        let suspended = try await Self.impact(suspending, database: database, in: directory)
        let closed = try #require(suspended["flows_closed"] as? [[String: Any]])
        #expect(closed.map { $0["agreement"] as? String } == closed.map { _ in "customs-abf-s318" }, "\(closed)")
        #expect(closed.allSatisfy { $0["from"] as? String == "nz.customs" && $0["to"] as? String == "au.abf" && $0["reason"] as? String == "agreement-suspended" })
        #expect(closed.reduce(0) { $0 + ($1["messages"] as? Int ?? 0) } == customsToABF.count)

        // As text, the way an administrator reads it.
        let text = try await ExternalProcess.run(
            PackageRoot.accordExecutable.path, ["agreements", "impact", suspending.path, "--db", database.path], directory: directory)
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.contains("flows closed: \(closed.count)"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("delivered under customs-abf-s318, now refused (agreement-suspended)"))
    }

    /// A change to the properties alone is an activation of its own: the set's digest (what
    /// decides a message) is the same, but the set in force must be recorded, and audited, with
    /// the properties it was proved against, not reported "unchanged" with the old ones kept.
    @Test func changingOnlyThePropertiesActivatesAndRecordsThem() async throws {
        let directory = try PackageRoot.temporaryDirectory("properties-only")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = try AgreementsInForce.copy(into: directory)
        let fixture = try GatewayFixture(agreements: agreements)
        try await fixture.closing {
            // The set in force is recorded first, as every running gateway's is.
            _ = try await fixture.gateway.activateAgreements(from: agreements, by: "operator:sighup")
            #expect(try await fixture.store.latestAgreementSetDigest() == fixture.gateway.policy.current.setDigest)
            let before = fixture.gateway.policy.current.setDigest
            let file = agreements.appendingPathComponent("properties.yaml")
            let added = """

                  - name: Informants stay unknown, restated by the privacy officer
                    never: { paths: ["informant.name"] }

                """
            let text = try String(contentsOf: file, encoding: .utf8) + added.dropFirst()
            try text.write(to: file, atomically: true, encoding: .utf8)

            let outcome = try await fixture.gateway.activateAgreements(from: agreements, by: "operator:sighup")
            guard case .activated(let digest, _, _) = outcome else {
                Issue.record("a change to the properties alone was not activated: \(outcome)")
                return
            }
            #expect(digest == before, "the properties do not decide a message, so the set digest stays")
            let recorded = try #require(try await fixture.store.latestAgreementSet())
            let properties = try #require(AgreementSetArchive.sources(recorded.content)?.properties)
            #expect(String(decoding: properties.bytes, as: UTF8.self) == text)
            let leaf = try #require(try await fixture.store.query(AuditQuery(events: [.agreementsActivated])).last)
            #expect(leaf.record.details["properties_digest"] == Hex.encode(SHA256.hash(Array(text.utf8))))

            // Activating the same files again changes nothing.
            let again = try await fixture.gateway.activateAgreements(from: agreements, by: "operator:sighup")
            guard case .unchanged = again else {
                Issue.record("the same files activated twice: \(again)")
                return
            }
        }
    }

    static let identifiersStayHome = """

          - name: No identifier to an overseas jurisdiction
            never: { tags: [identifier], to_jurisdiction: overseas }

        """

    /// A property the shipped Customs–ABF disclosure breaks: `check` fails with the property's
    /// place and the agreement as counterexample, and the gateway refuses to activate the set.
    @Test func aBrokenPropertyFailsCheckAndActivationIsRefused() async throws {
        let directory = try PackageRoot.temporaryDirectory("properties")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = try AgreementsInForce.copy(into: directory)
        let ok = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["agreements", "check", agreements.path])
        #expect(ok.status == 0, "\(ok.standardError)")
        #expect(ok.standardOutput.contains("holds: No child's details leave New Zealand"), "\(ok.standardOutput)")

        let file = agreements.appendingPathComponent("properties.yaml")
        let shipped = try String(contentsOf: file, encoding: .utf8)
        // The new property's first line follows the shipped file's last.
        let line = shipped.split(separator: "\n", omittingEmptySubsequences: false).count
        try (shipped + Self.identifiersStayHome.dropFirst()).write(to: file, atomically: true, encoding: .utf8)
        let broken = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["agreements", "check", agreements.path])
        #expect(broken.status == 1)
        let lines = broken.standardError.split(separator: "\n").map(String.init)
        let customs = try #require(lines.first { $0.contains("agreement 'customs-abf-s318' flow 1") }, "\(broken.standardError)")
        #expect(customs.hasPrefix("\(agreements.path)/properties.yaml:\(line):5: "), "\(customs)")
        #expect(customs.contains("property 'No identifier to an overseas jurisdiction' is broken"))
        #expect(customs.contains("nz.customs -> au.abf") && customs.contains("subject.passport_number"))
        #expect(customs.hasSuffix("[property-violated]"))

        // The gateway, as SIGHUP, the console and `accord agreements activate` reach it.
        let fixture = try GatewayFixture(agreements: agreements)
        try await fixture.closing {
            let before = fixture.gateway.policy.current.setDigest
            let outcome = try await fixture.gateway.activateAgreements(from: agreements, by: "operator:sighup")
            guard case .rejected(let diagnostics) = outcome else {
                Issue.record("a set that breaks a property was not refused: \(outcome)")
                return
            }
            #expect(diagnostics.contains { $0.check == .propertyViolated && $0.message.contains("customs-abf-s318") })
            #expect(fixture.gateway.policy.current.setDigest == before)
            let refusal = try #require(try await fixture.store.query(AuditQuery(events: [.agreementsRejected])).last)
            #expect(refusal.record.reason == "property-violated")

            // Once the property is dropped again the same set activates.
            try shipped.write(to: file, atomically: true, encoding: .utf8)
            let edited = agreements.appendingPathComponent("inz-police-investigations.yaml")
            try String(contentsOf: edited, encoding: .utf8).replacingOccurrences(of: "      - subject.passport_number\n", with: "")
                .write(to: edited, atomically: true, encoding: .utf8)
            let activated = try await fixture.gateway.activateAgreements(from: agreements, by: "operator:sighup")
            guard case .activated = activated else {
                Issue.record("the set without the broken property was not activated: \(activated)")
                return
            }
        }
    }
}
