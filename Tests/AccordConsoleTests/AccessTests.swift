import AccordAudit
import AccordConsole
import AccordPolicy
import AccordServer
import AccordStore
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// Who may use which page, and that forms need their CSRF token.
@Suite struct AccessTests {
    @Test func operatorsAreAdmittedAndEveryoneElseGets403() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for headers in [ConsoleFixture.officer, ConsoleFixture.admin, ConsoleFixture.auditor] {
                let (status, body) = try await client.page("/", headers)
                #expect(status == .ok)
                #expect(body.contains("Signed in as"))
            }
            let (anonymous, _) = try await client.page("/", [:])
            #expect(anonymous == .forbidden)
            let (agency, agencyBody) = try await client.page("/audit", ConsoleFixture.agency)
            #expect(agency == .forbidden)
            #expect(agencyBody.contains("agency systems cannot use the console"))
            let (unknownRole, _) = try await client.page("/", [ConsoleFixture.identityHeader: "operator:superuser:mallory"])
            #expect(unknownRole == .forbidden)
        }
    }

    @Test func eachRoleReachesOnlyItsPages() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let pages = ["/audit", "/flows", "/held", "/integrity", "/agencies", "/agreements"]
        let allowed: [String: Set<String>] = [
            "officer": ["/audit", "/flows", "/held", "/integrity"],
            "auditor": ["/audit", "/integrity"],
            "admin": ["/agencies", "/agreements"],
        ]
        try await fixture.test { client in
            for (name, headers) in [("officer", ConsoleFixture.officer), ("auditor", ConsoleFixture.auditor), ("admin", ConsoleFixture.admin)] {
                for page in pages {
                    let (status, _) = try await client.page(page, headers)
                    #expect(status == (allowed[name]!.contains(page) ? .ok : .forbidden), "\(name) \(page): \(status)")
                }
            }
            // A role without the right is refused even with a valid token for itself.
            let (_, auditorPage) = try await client.page("/audit", ConsoleFixture.auditor)
            let token = try #require(ConsoleFixture.csrf(in: auditorPage))
            let (approve, _) = try await client.form("/held/approve", ConsoleFixture.auditor, [("csrf", token)] + fixture.sent(.heldToFiji).form)
            #expect(approve == .forbidden)
            let (activate, _) = try await client.form("/agreements/activate", ConsoleFixture.officer, [("csrf", token)])
            #expect(activate == .forbidden)
        }
        #expect(try await fixture.store.deliveries(messageID: fixture.sent(.heldToFiji).message).first?.state == .held)
    }

    @Test func formsWithoutAValidCSRFTokenAreRefused() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let fields = try fixture.sent(.heldToFiji).form
            let (missing, body) = try await client.form("/held/approve", ConsoleFixture.officer, fields)
            #expect(missing == .forbidden)
            #expect(body.contains("security token"))
            let (wrong, _) = try await client.form("/held/approve", ConsoleFixture.officer, fields + [("csrf", String(repeating: "0", count: 64))])
            #expect(wrong == .forbidden)
            // Another operator's token does not carry over.
            let (_, auditorPage) = try await client.page("/audit", ConsoleFixture.auditor)
            let stolen = try #require(ConsoleFixture.csrf(in: auditorPage))
            let (crossed, _) = try await client.form("/held/approve", ConsoleFixture.officer, fields + [("csrf", stolen)])
            #expect(crossed == .forbidden)
            let (search, _) = try await client.form("/audit", ConsoleFixture.officer, [("subject", "passport=LA123456")])
            #expect(search == .forbidden)
            let (activate, _) = try await client.form("/agreements/activate", ConsoleFixture.admin, [])
            #expect(activate == .forbidden)
        }
        #expect(try await fixture.store.deliveries(messageID: fixture.sent(.heldToFiji).message).first?.state == .held)
        #expect(try await fixture.records(.auditQueried).isEmpty)
        #expect(fixture.control.active.generation == ConsoleFixture.startedGeneration)
        #expect(try await fixture.records(.agreementsActivated).map(\.actor) == ["gateway"])
    }

    @Test func responsesCarrySecurityHeaders() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            try await client.execute(uri: "/", method: .get, headers: ConsoleFixture.officer) { response in
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(uri: "/static/console.css", method: .get, headers: [:]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/css") == true)
            }
        }
    }
}
