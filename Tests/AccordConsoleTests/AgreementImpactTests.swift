import AccordAudit
import AccordConsole
import AccordPolicy
import AccordStore
import Foundation
import HTTPTypes
import Testing

/// The agreements page shows, for the proposed set, what it would have done to the last 90
/// days of traffic and whether it keeps its properties, beside the diff and before Activate.
@Suite struct AgreementImpactTests {
    /// Deliveries from Police to Immigration NZ recorded as the gateway records them, `days`
    /// days before the fixture's now.
    static func deliveries(_ fixture: ConsoleFixture, days: [Double]) -> [AuditRecord] {
        days.enumerated().map { index, ago in
            AuditRecord(
                event: .messageAccepted, time: fixture.now.addingTimeInterval(-ago * 86_400), actor: "nz.police", messageID: "m-impact-\(index)",
                deliveryID: "d-impact-\(index)", from: "nz.police", to: ["nz.immigration"],
                agreement: AgreementReference(id: "inz-police-investigations", versionDigest: "d"),
                disclosed: ["subject", "subject.family_name", "subject.passport_number"], withheld: ["informant", "informant.name"],
                details: ["type": "referral", "purpose": "victim-protection", "classification": "IN-CONFIDENCE"])
        }
    }

    @Test func theProposedSetShowsItsImpactOnPastTrafficAndItsProperties() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
        try #require(AgreementFileEdit.settingStatus(.suspended, in: String(contentsOf: file, encoding: .utf8)))
            .write(to: file, atomically: true, encoding: .utf8)
        try await fixture.test { client in
            // Three in the window, one older than 90 days that the page leaves out.
            _ = try await fixture.store.append(Self.deliveries(fixture, days: [1, 10, 89, 120]))
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            let impact = try #require(body.range(of: "Impact on the last 90 days of traffic"))
            let activate = try #require(body.range(of: "Activate the proposed set"))
            #expect(impact.upperBound < activate.lowerBound, "impact and properties come before Activate")
            #expect(body.contains("<strong>Closes</strong> nz.police -&gt; nz.immigration, referral, purpose victim-protection under <code>inz-police-investigations</code>: 3 message(s), 2026-02-28 to 2026-05-27"),
                    "\(body)")
            #expect(body.contains("<span class=\"proof ok\">holds</span> No child&#39;s details leave New Zealand"), "\(body)")
            #expect(!body.contains("BROKEN"))
        }
    }

    @Test func aBrokenPropertyIsShownWithItsCounterexampleBeforeActivate() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("properties.yaml")
        try (String(contentsOf: file, encoding: .utf8) + """
              - name: No identifier to an overseas jurisdiction
                never: { tags: [identifier], to_jurisdiction: overseas }

            """).write(to: file, atomically: true, encoding: .utf8)
        try await fixture.test { client in
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(body.contains("The proposed set breaks its properties; activation will refuse it."), "\(body)")
            #expect(body.contains("<span class=\"proof bad\">BROKEN</span> No identifier to an overseas jurisdiction"))
            #expect(body.contains("agreement &#39;customs-abf-s318&#39; flow 1"))
            #expect(body.contains("The proposed set would have decided every one of them as the gateway did."))
        }
    }
}
