import AccordConsole
import AccordCrypto
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// Password hashes, the accounts file, and sign-in with its sessions and lockout.
@Suite struct LocalAccountTests {
    static let fast = Scrypt.Parameters(logN: 10, r: 8, p: 1)

    @Test func passwordHashRoundTripsAndChecks() throws {
        let hash = try PasswordHash.make(password: "correct horse battery", parameters: Self.fast)
        let text = hash.description
        #expect(text.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        #expect(!text.contains("correct"))
        let parsed = try PasswordHash(parsing: text)
        #expect(parsed == hash)
        #expect(parsed.matches("correct horse battery"))
        #expect(!parsed.matches("correct horse batterY"))
        #expect(!parsed.matches(""))
        // Two hashes of one password differ (fresh salt).
        #expect(try PasswordHash.make(password: "correct horse battery", parameters: Self.fast) != hash)
    }

    /// "é" typed composed or decomposed is the same password.
    @Test func passwordsAreComparedInNFC() throws {
        let hash = try PasswordHash.make(password: "caf\u{E9} au lait now", parameters: Self.fast)
        #expect(hash.matches("cafe\u{301} au lait now"))
    }

    @Test func malformedStoredHashesAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            ("plain-text-password", "is not a $scrypt$"),
            ("$scrypt$ln=15,r=8$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "exactly the parameters ln, r and p"),
            ("$scrypt$ln=25,r=8,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "outside"),
            ("$scrypt$ln=15,r=8,p=1$!!!$a2V5a2V5a2V5a2V5a2V5a2V5", "not base64url"),
            ("$scrypt$ln=15,r=8,p=1$c2Fs$a2V5", "too short"),
            ("$argon2id$v=19$m=65536$c2FsdHNhbHQ$a2V5", "is not a $scrypt$"),
        ]
        for (text, reason) in cases {
            do {
                _ = try PasswordHash(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(reason), "\(text): \(error)")
                #expect(!error.description.contains(text), "the error repeats the stored string")
            }
        }
    }

    @Test func accountsFileErrorsNameLineAndColumn() throws {
        let hash = try PasswordHash.make(password: "correct horse battery", parameters: Self.fast)
        let cases: [(String, String)] = [
            ("accounts:\n  - name: alice\n    role: superuser\n    password: \"\(hash)\"\n", "f.yaml:3:11: the role 'superuser'"),
            ("accounts:\n  - name: alice\n    role: auditor\n    password: \"\(hash)\"\n  - name: alice\n    role: auditor\n    password: \"\(hash)\"\n",
             "f.yaml:5:11: the account 'alice' is listed twice"),
            ("accounts:\n  - name: Alice!\n    role: auditor\n    password: \"\(hash)\"\n", "f.yaml:2:11: the name 'Alice!' is not allowed"),
            ("accounts:\n  - name: alice\n    role: auditor\n    pasword: \"\(hash)\"\n", "f.yaml:4:5: unknown key 'pasword'"),
            ("accounts:\n  - name: alice\n    role: auditor\n", "f.yaml:2:5: password of 'alice' is missing"),
            ("accounts:\n  - name: alice\n    role: auditor\n    password: hunter2\n", "f.yaml:4:15: the password hash is not a $scrypt$"),
            ("accounts: [unclosed\n", "f.yaml: not valid YAML"),
        ]
        for (text, expected) in cases {
            #expect(throws: AccountsFileError.self) { try AccountsFile.parse(text, file: "f.yaml") }
            do { _ = try AccountsFile.parse(text, file: "f.yaml") } catch {
                #expect(error.description.hasPrefix(expected), "\(error)")
            }
        }
    }

    @Test func accountsFileRoundTripsAndIsPrivate() throws {
        let directory = try PackageRoot.temporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accounts.yaml")
        let accounts = [
            LocalAccount(name: "zoe", role: .auditor, password: try PasswordHash.make(password: "zoe's long password", parameters: Self.fast), disabled: true),
            LocalAccount(name: "alice", role: .privacyOfficer, password: try PasswordHash.make(password: "alice's long password", parameters: Self.fast)),
        ]
        try AccountsFile.save(accounts, to: file)
        #expect(try AccountsFile.load(file) == accounts.sorted { $0.name < $1.name })
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["accounts.yaml"], "a temporary file was left behind")
    }

    /// Run as root, `accord accounts set` must not take the file away from the gateway's user.
    @Test(.enabled(if: getuid() == 0, "changing a file's owner needs root (as in CI)"))
    func rewritingTheFileKeepsItsOwner() throws {
        let directory = try PackageRoot.temporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accounts.yaml")
        let account = LocalAccount(name: "alice", role: .auditor, password: try PasswordHash.make(password: "alice's long password", parameters: Self.fast))
        try AccountsFile.save([account], to: file)
        #expect(chown(file.path, 4321, 4322) == 0)
        try AccountsFile.save([account, LocalAccount(name: "bob", role: .auditor, password: account.password)], to: file)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 4321)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == 4322)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try AccountsFile.load(file).map(\.name) == ["alice", "bob"])
    }

    @Test func signInSessionsAndTheirEnd() async throws {
        let fixture = try AccountsFixture()
        defer { fixture.cleanUp() }
        let accounts = fixture.accounts
        guard case .signedIn(let token, let person) = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("alice could not sign in")
            return
        }
        #expect(person.actor == "urn:accord:operator:privacy-officer:alice")
        #expect(person.usesAccount)
        #expect(await accounts.session(token: token)?.name == "alice")
        #expect(await accounts.session(token: token + "x") == nil)

        // Idle for longer than the idle timeout: the session is gone.
        fixture.clock.advance(31 * 60)
        #expect(await accounts.session(token: token) == nil)

        // A role change in the file ends sessions.
        guard case .signedIn(let second, _) = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("second sign-in failed")
            return
        }
        try fixture.write([("alice", .auditor, "alice's long password")])
        #expect(await accounts.session(token: second) == nil)
        // The new role applies at the next sign-in.
        guard case .signedIn(_, let auditor) = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("sign-in after the role change failed")
            return
        }
        #expect(auditor.role == .auditor)
    }

    @Test func sessionsEndAtTheAbsoluteTimeoutEvenWhenUsed() async throws {
        let fixture = try AccountsFixture()
        defer { fixture.cleanUp() }
        guard case .signedIn(let token, _) = await fixture.accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("sign-in failed")
            return
        }
        for _ in 0..<25 {
            fixture.clock.advance(29 * 60)
            _ = await fixture.accounts.session(token: token)
        }
        #expect(await fixture.accounts.session(token: token) == nil)
    }

    @Test func wrongPasswordsLockTheNameForAWhile() async throws {
        let fixture = try AccountsFixture()
        defer { fixture.cleanUp() }
        let accounts = fixture.accounts
        for attempt in 1...4 {
            guard case .refused = await accounts.signIn(name: "alice", password: "guess \(attempt)") else {
                Issue.record("attempt \(attempt) was not simply refused")
                return
            }
        }
        guard case .lockedOut(let name, true) = await accounts.signIn(name: "alice", password: "guess 5") else {
            Issue.record("the fifth failure did not lock")
            return
        }
        #expect(name == "alice")
        // Locked: even the right password is refused, without being checked.
        guard case .lockedOut(_, false) = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("a locked name signed in")
            return
        }
        // An unknown name locks the same way, but is not named.
        for _ in 1...4 { _ = await accounts.signIn(name: "mallory", password: "x") }
        guard case .lockedOut(nil, true) = await accounts.signIn(name: "mallory", password: "x") else {
            Issue.record("an unknown name did not lock like a known one")
            return
        }
        fixture.clock.advance(16 * 60)
        guard case .signedIn = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("the lock did not expire")
            return
        }
    }

    /// One password tried against many names: each name stays under its own lock threshold,
    /// so the failures across all names pause sign-in for everyone until the minute passes.
    /// Guessing spread over many names pauses the guesser's source, not everyone: the pause is
    /// per source, so an attacker cannot keep operators out by failing on purpose.
    @Test func failuresSpreadOverManyNamesPauseSignInFromTheirSourceOnly() async throws {
        let directory = try PackageRoot.temporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accounts.yaml")
        try AccountsFixture.write([("alice", .privacyOfficer, "alice's long password")], to: file)
        let clock = TestClock()
        var policy = LocalAccounts.Policy()
        policy.failuresPerMinute = 10
        let accounts = try LocalAccounts(file: file, policy: policy, now: { clock.now })
        for n in 0..<10 {
            guard case .refused = await accounts.signIn(name: "user\(n)", password: "Summer2026!", source: "192.0.2.66") else {
                Issue.record("attempt \(n) was not simply refused")
                return
            }
        }
        guard case .busy = await accounts.signIn(name: "alice", password: "alice's long password", source: "192.0.2.66") else {
            Issue.record("sign-in went on from the guessing source after 10 failures in a minute")
            return
        }
        guard case .signedIn = await accounts.signIn(name: "alice", password: "alice's long password", source: "198.51.100.7") else {
            Issue.record("the guesser's failures paused sign-in from another source")
            return
        }
        clock.advance(61)
        guard case .signedIn = await accounts.signIn(name: "alice", password: "alice's long password", source: "192.0.2.66") else {
            Issue.record("sign-in did not resume after the minute")
            return
        }
    }

    @Test func disabledAccountsAndABrokenFileFailClosed() async throws {
        let fixture = try AccountsFixture()
        defer { fixture.cleanUp() }
        let accounts = fixture.accounts
        guard case .signedIn(let token, _) = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("sign-in failed")
            return
        }
        try fixture.write([("alice", .privacyOfficer, "alice's long password")], disabled: true)
        #expect(await accounts.session(token: token) == nil)
        guard case .refused = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("a disabled account signed in")
            return
        }
        try Data("accounts:\n  - name: alice\n    role: root\n".utf8).write(to: fixture.file)
        guard case .unavailable = await accounts.signIn(name: "alice", password: "alice's long password") else {
            Issue.record("a broken file still admits")
            return
        }
        #expect(await accounts.loadProblem?.description.contains(":3:") == true)
    }

    @Test func aBrokenFileStopsStartup() throws {
        let directory = try PackageRoot.temporaryDirectory("accounts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accounts.yaml")
        try Data("accounts:\n  - name: alice\n".utf8).write(to: file)
        #expect(throws: AccountsFileError.self) { try LocalAccounts(file: file) }
        #expect(throws: AccountsFileError.self) { try LocalAccounts(file: directory.appendingPathComponent("missing.yaml")) }
    }
}

/// A settable clock for session timeouts.
final class TestClock: Sendable {
    private let value: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) { value = Mutex(start) }

    var now: Date { value.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// An accounts file with alice (privacy officer) and bob (administrator), cheap scrypt
/// parameters, and a test clock.
struct AccountsFixture {
    let directory: URL
    let file: URL
    let clock = TestClock()
    let accounts: LocalAccounts

    init() throws {
        directory = try PackageRoot.temporaryDirectory("accounts")
        file = directory.appendingPathComponent("console-accounts.yaml")
        try Self.write([("alice", .privacyOfficer, "alice's long password"), ("bob", .administrator, "bob's long password")], to: file)
        let clock = self.clock
        accounts = try LocalAccounts(file: file, now: { clock.now })
    }

    static func write(_ entries: [(String, OperatorRole, String)], disabled: Bool = false, to file: URL) throws {
        try AccountsFile.save(entries.map {
            LocalAccount(name: $0.0, role: $0.1, password: try PasswordHash.make(password: $0.2, parameters: LocalAccountTests.fast), disabled: disabled)
        }, to: file)
    }

    func write(_ entries: [(String, OperatorRole, String)], disabled: Bool = false) throws {
        try Self.write(entries, disabled: disabled, to: file)
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}
