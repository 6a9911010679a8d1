import AccordAudit
import AccordConsole
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing

/// Local accounts through the console's routes: sign-in page, session cookie, CSRF per
/// session, roles, sign-out, lockout, and that certificates still work beside them.
@Suite struct SignInTests {
    /// A console with alice (privacy officer) and bob (administrator) as local accounts.
    static func fixture() throws -> (ConsoleFixture, AccountsFixture) {
        var console = try ConsoleFixture()
        let accounts = try AccountsFixture()
        console.environment.accounts = accounts.accounts
        return (console, accounts)
    }

    static func cleanUp(_ console: ConsoleFixture, _ accounts: AccountsFixture) {
        console.cleanUp()
        accounts.cleanUp()
    }

    @Test func aPasswordOperatorSignsInUsesTheConsoleAndSignsOut() async throws {
        let (fixture, accounts) = try Self.fixture()
        defer { Self.cleanUp(fixture, accounts) }
        try await fixture.test { client in
            var browser = Browser(client: client)
            // Not signed in: pages send the browser to the sign-in form; forms are refused.
            let first = try await browser.get("/audit")
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/signin")
            let (unsigned, _) = try await client.form("/held/approve", [:], [("csrf", "x")])
            #expect(unsigned == .forbidden)

            let form = try await browser.get("/signin")
            #expect(form.status == .ok)
            #expect(form.text.contains("autocomplete=\"current-password\""))
            #expect(form.text.contains("<label for=\"password\">"))
            let nonceCookie = try #require(form.setCookies.first { $0.hasPrefix("__Host-accord-signin=") })
            #expect(nonceCookie.contains("Secure") && nonceCookie.contains("HttpOnly") && nonceCookie.contains("SameSite=Strict") && nonceCookie.contains("Path=/"))
            let token = try #require(ConsoleFixture.csrf(in: form.text))

            let signedIn = try await browser.post("/signin", [("csrf", token), ("name", "alice"), ("password", "alice's long password")])
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/")
            let session = try #require(signedIn.setCookies.first { $0.hasPrefix("__Host-accord-session=") })
            for attribute in ["; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"] {
                #expect(session.contains(attribute), "\(session) lacks \(attribute)")
            }
            #expect(!session.contains("Domain"), "a __Host- cookie must not name a domain")

            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.text.contains("with the local account"))
            #expect(home.text.contains("Sign out"))
            let audit = try await browser.get("/audit")
            #expect(audit.status == .ok)
            let csrf = try #require(ConsoleFixture.csrf(in: audit.text))
            let search = try await browser.post("/audit", [("csrf", csrf), ("subject", "passport=NZ4455667"), ("event", "message.delivered")])
            #expect(search.status == .ok)
            #expect(search.text.contains("3 record(s)"))
            // A privacy officer's account is not an administrator.
            #expect(try await browser.get("/agreements").status == .forbidden)

            let signedOut = try await browser.post("/signout", [("csrf", csrf)])
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.setCookies.contains { $0.hasPrefix("__Host-accord-session=;") && $0.contains("Max-Age=0") })
            // The old cookie no longer works, even if a browser kept it.
            #expect(try await browser.get("/", cookie: session.prefix { $0 != ";" }.description).status == .seeOther)
        }
        let signedIn = try await fixture.records(.operatorSignedIn)
        #expect(signedIn.map(\.actor) == ["urn:accord:operator:privacy-officer:alice"])
        #expect(signedIn.first?.details["method"] == "password")
        #expect(try await fixture.records(.operatorSignedOut).map(\.actor) == ["urn:accord:operator:privacy-officer:alice"])
        let queried = try await fixture.records(.auditQueried)
        #expect(queried.map(\.actor) == ["urn:accord:operator:privacy-officer:alice"])
    }

    @Test func signInFormsNeedTheirNonceAndCSRFTokensAreBoundToTheSession() async throws {
        let (fixture, accounts) = try Self.fixture()
        defer { Self.cleanUp(fixture, accounts) }
        try await fixture.test { client in
            var browser = Browser(client: client)
            let form = try await browser.get("/signin")
            let token = try #require(ConsoleFixture.csrf(in: form.text))
            // A cross-site form has no nonce cookie (SameSite=Strict) and cannot sign in.
            var stranger = Browser(client: client)
            let forged = try await stranger.post("/signin", [("csrf", token), ("name", "alice"), ("password", "alice's long password")])
            #expect(forged.status == .forbidden)
            #expect(forged.setCookies.allSatisfy { !$0.hasPrefix("__Host-accord-session=") })

            // Two sessions of one account: a token from one does not work in the other.
            _ = try await browser.post("/signin", [("csrf", token), ("name", "alice"), ("password", "alice's long password")])
            var other = Browser(client: client)
            #expect(try await other.signIn("alice", "alice's long password").status == .seeOther)
            let mine = try #require(ConsoleFixture.csrf(in: try await browser.get("/held").text))
            let theirs = try #require(ConsoleFixture.csrf(in: try await other.get("/held").text))
            #expect(mine != theirs)
            let held = try fixture.sent(.heldToFiji).form
            let crossed = try await other.post("/held/approve", [("csrf", mine)] + held)
            #expect(crossed.status == .forbidden)
            // Nor does a certificate operator's token of the same name.
            let (_, certificatePage) = try await client.page("/held", [ConsoleFixture.identityHeader: "operator:privacy-officer:alice"])
            let certificateToken = try #require(ConsoleFixture.csrf(in: certificatePage))
            #expect(try await browser.post("/held/approve", [("csrf", certificateToken)] + held).status == .forbidden)
            // With its own token the session approves.
            let approved = try await browser.post("/held/approve", [("csrf", mine)] + held)
            #expect(approved.status == .ok, "\(approved.text)")
        }
        let released = try await fixture.records(.messageReleased)
        #expect(released.map(\.actor) == ["urn:accord:operator:privacy-officer:alice"])
    }

    @Test func wrongPasswordsAreRefusedThenLockedAndRecorded() async throws {
        let (fixture, accounts) = try Self.fixture()
        defer { Self.cleanUp(fixture, accounts) }
        try await fixture.test { client in
            var browser = Browser(client: client)
            for attempt in 1...5 {
                let answer = try await browser.signIn("bob", "not it \(attempt)")
                #expect(answer.status == (attempt < 5 ? .forbidden : .tooManyRequests), "attempt \(attempt)")
                #expect(answer.setCookies.allSatisfy { !$0.hasPrefix("__Host-accord-session=") })
                #expect(!answer.text.contains("not it"), "the password is echoed")
            }
        }
        let locked = try await fixture.records(.operatorLockedOut)
        #expect(locked.count == 1)
        #expect(locked.first?.details["account"] == "bob")
        #expect(try await fixture.records(.operatorSignedIn).isEmpty)
    }

    @Test func certificatesStillWorkAndAgenciesStayOut() async throws {
        let (fixture, accounts) = try Self.fixture()
        defer { Self.cleanUp(fixture, accounts) }
        try await fixture.test { client in
            let (status, page) = try await client.page("/", ConsoleFixture.admin)
            #expect(status == .ok)
            #expect(page.contains("with the operator certificate"))
            #expect(!page.contains("Sign out"))
            let (agency, _) = try await client.page("/signin", ConsoleFixture.agency)
            #expect(agency == .forbidden)
            let (agencyHome, _) = try await client.page("/", ConsoleFixture.agency)
            #expect(agencyHome == .forbidden)
        }
    }

    @Test func withoutAccountsThereIsNoSignInPage() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let (status, _) = try await client.page("/signin", [:])
            #expect(status == .forbidden)
            let (home, _) = try await client.page("/", [:])
            #expect(home == .forbidden)
        }
    }
}

/// Keeps cookies between requests the way a browser does for one site.
struct Browser {
    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let text: String

        var setCookies: [String] { headers[values: .setCookie] }
    }

    let client: RouterClient
    var cookies: [String: String] = [:]

    /// Opens the sign-in form and posts it with its token, as a person at the browser would.
    mutating func signIn(_ name: String, _ password: String) async throws -> Page {
        let form = try await get("/signin")
        let token = try #require(ConsoleFixture.csrf(in: form.text))
        return try await post("/signin", [("csrf", token), ("name", name), ("password", password)])
    }

    mutating func get(_ uri: String, cookie: String? = nil) async throws -> Page {
        try await send(uri, .get, body: nil, cookie: cookie)
    }

    mutating func post(_ uri: String, _ fields: [(String, String)]) async throws -> Page {
        try await send(uri, .post, body: fields.map { "\(RouterClient.encode($0.0))=\(RouterClient.encode($0.1))" }.joined(separator: "&"), cookie: nil)
    }

    private mutating func send(_ uri: String, _ method: HTTPRequest.Method, body: String?, cookie: String?) async throws -> Page {
        var headers: HTTPFields = [:]
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let header = cookie ?? cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
        if !header.isEmpty { headers[.cookie] = header }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            Page(status: $0.status, headers: $0.headers, text: String(buffer: $0.body))
        }
        for line in page.setCookies {
            let pair = line.prefix { $0 != ";" }
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals]), value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || line.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return page
    }
}
