import AccordAudit
import AccordCore
import AccordConsole
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import HTTPTypes
import Testing

/// The agreements page shows, for the proposed set, what it would have done to the last 90
/// days of traffic and whether it keeps its properties, beside the diff and before Activate.
@Suite struct AgreementImpactTests {
    /// Police's victim-protection referrals to Immigration NZ, sent through the fixture's
    /// gateway `days` days before the fixture's day; the clock is back on that day afterwards.
    static func sendReferrals(_ fixture: ConsoleFixture, days: [Double]) async throws {
        for ago in days {
            fixture.clock.set(fixture.now.addingTimeInterval(-ago * 86_400))
            try await fixture.send(from: "nz.police", to: "nz.immigration", type: "referral", purpose: "victim-protection", content: [
                "subject": ["family_name": "Tupou", "passport_number": "FJ1234567"], "informant": ["name": "Mele Informant"],
            ])
        }
        fixture.clock.set(fixture.now)
    }

    /// Police's referrals to Immigration NZ: three sent here within the 90 days and one older
    /// that the page leaves out, and the fixture's own held referral sent today.
    @Test func theProposedSetShowsItsImpactOnPastTrafficAndItsProperties() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("inz-police-investigations.yaml")
        try await fixture.test { client in
            try await Self.sendReferrals(fixture, days: [1, 10, 89, 120])
            try #require(AgreementFileEdit.settingStatus(.suspended, in: String(contentsOf: file, encoding: .utf8)))
                .write(to: file, atomically: true, encoding: .utf8)
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            let impact = try #require(body.range(of: "Impact on the last 90 days of traffic"))
            let activate = try #require(body.range(of: "Activate the proposed set"))
            #expect(impact.upperBound < activate.lowerBound, "impact and properties come before Activate")
            #expect(body.contains("<strong>Closes</strong> nz.police -&gt; nz.immigration, referral, purpose victim-protection under <code>inz-police-investigations</code>: 4 message(s), 2026-02-28 to 2026-05-28"),
                    "\(body)")
            #expect(body.contains("<span class=\"proof ok\">holds</span> No child&#39;s details leave New Zealand"), "\(body)")
            #expect(!body.contains("BROKEN"))
        }
    }

    @Test func aBrokenPropertyIsShownWithItsCounterexampleBeforeActivate() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let file = fixture.agreements.appendingPathComponent("properties.yaml")
        try await fixture.test { client in
            try (String(contentsOf: file, encoding: .utf8) + """
                  - name: No identifier to an overseas jurisdiction
                    never: { tags: [identifier], to_jurisdiction: overseas }

                """).write(to: file, atomically: true, encoding: .utf8)
            let (status, body) = try await client.page("/agreements", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(body.contains("The proposed set breaks its properties; activation will refuse it."), "\(body)")
            #expect(body.contains("<span class=\"proof bad\">BROKEN</span> No identifier to an overseas jurisdiction"))
            #expect(body.contains("agreement &#39;customs-abf-s318&#39; flow 1"))
            #expect(body.contains("The proposed set would have decided every one of them as the gateway did."))
        }
    }
}
