import AccordCore
import AccordCrypto
public import Foundation

/// Local accounts and their sessions: checks passwords, throttles guessing, and keeps the
/// sessions of signed-in operators in memory (a restart signs everyone out).
///
/// The accounts file is re-read whenever it changes on disk, so `accord accounts` takes
/// effect without a restart; every request re-checks its session's account, so removing or
/// disabling an account, changing its role or its password ends its sessions. A file that
/// stops loading refuses every sign-in and session until it is fixed: failing closed.
public actor LocalAccounts {
    /// What a sign-in attempt came to.
    public enum SignIn: Sendable {
        /// Signed in: the cookie value to set, and who it is.
        case signedIn(token: String, ConsoleOperator)
        /// Wrong name or password (deliberately not saying which).
        case refused
        /// Too many failures for this name; `newly` is true for the attempt that locked it.
        case lockedOut(name: String?, newly: Bool)
        /// Too many sign-ins being checked at once (from everywhere, or from this source), or
        /// too many failures from this source across all names in the last minute (guessing
        /// spread over many names); try again shortly.
        case busy
        /// The accounts file does not load.
        case unavailable
    }

    public struct Policy: Sendable {
        /// A session unused for this long ends.
        public var idleTimeout: TimeInterval = 30 * 60
        /// A session ends this long after sign-in, used or not.
        public var absoluteTimeout: TimeInterval = 12 * 3600
        /// Consecutive failures for one name before it is locked.
        public var failuresBeforeLockout = 5
        public var lockout: TimeInterval = 15 * 60
        /// scrypt runs at once; each takes 32 MiB and ~0.1 s, so more would be a denial of service.
        public var concurrentChecks = 4
        /// scrypt runs at once for one source, below `concurrentChecks`, so that one source's
        /// burst cannot take every check and turn everyone else away.
        public var concurrentChecksPerSource = 2
        public var maximumSessions = 1_000
        /// Failed sign-ins from one source (an address, an IPv6 /64), across every name, per
        /// minute before that source's sign-ins pause: a per-name lock alone does not slow one
        /// password tried against many names. Per source, so a guesser pauses only itself.
        public var failuresPerMinute = 60

        public init() {}
    }

    struct Session {
        let name: String
        let role: OperatorRole
        let password: PasswordHash
        let created: Date
        var lastUsed: Date
    }

    struct Failures {
        var count: Int
        var lockedUntil: Date?
        var last: Date
    }

    public nonisolated let file: URL
    let policy: Policy
    let now: @Sendable () -> Date
    private var accounts: [String: LocalAccount] = [:]
    private var loaded: FileStamp?
    private var problem: AccountsFileError?
    private var sessions: [String: Session] = [:]
    private var failures: [String: Failures] = [:]
    private var checking = 0
    private var checkingBySource: [String: Int] = [:]
    /// Times of recent failures by source, any name, oldest first.
    private var recentFailures: [String: [Date]] = [:]
    /// Checked for unknown names, so a wrong name takes as long as a wrong password.
    private let decoy: PasswordHash

    /// Loads the file; a file that does not load stops the console from starting.
    public init(file: URL, policy: Policy = Policy(), now: @escaping @Sendable () -> Date = { Date() }) throws(AccountsFileError) {
        self.file = file
        self.policy = policy
        self.now = now
        let stamp = FileStamp(file)
        accounts = Dictionary(uniqueKeysWithValues: try AccountsFile.load(file).map { ($0.name, $0) })
        loaded = stamp
        do { decoy = try PasswordHash.make(password: "accord-decoy-\(UUID().uuidString)") } catch {
            throw AccountsFileError(location: file.path, message: "cannot prepare password checking: \(error)")
        }
    }

    /// Checks a name and password; on success starts a session. `source` is where the
    /// attempt came from (`UnauthenticatedLimit.source` of the client's address; nil when
    /// unknown, and then all such attempts count as one source).
    public func signIn(name: String, password: String, source: String? = nil) async -> SignIn {
        refresh()
        guard problem == nil else { return .unavailable }
        let at = now()
        let source = source ?? "unknown"
        let account = accounts[name]
        let known = account.map { _ in name }
        if let lockedUntil = failures[name]?.lockedUntil, lockedUntil > at { return .lockedOut(name: known, newly: false) }
        forgetFailures(before: at.addingTimeInterval(-60), of: source)
        guard checking < policy.concurrentChecks, checkingBySource[source, default: 0] < policy.concurrentChecksPerSource,
              recentFailures[source, default: []].count < policy.failuresPerMinute else { return .busy }
        checking += 1
        checkingBySource[source, default: 0] += 1
        let hash = account?.password ?? decoy
        let matches = await Self.check(password, against: hash)
        checking -= 1
        checkingBySource[source, default: 1] -= 1
        if checkingBySource[source] == 0 { checkingBySource[source] = nil }
        guard let account, matches, !account.disabled, account.password == hash else {
            return recordFailure(name, known: known, source: source, at: now())
        }
        failures[name] = nil
        let token = Base64URL.encode((try? SecureRandom.bytes(32)) ?? [])
        guard token.count >= 43 else { return .unavailable }
        evictSessions(at: at)
        sessions[Self.key(token)] = Session(name: account.name, role: account.role, password: account.password, created: at, lastUsed: at)
        return .signedIn(token: token, ConsoleOperator(role: account.role, name: account.name, session: Self.key(token)))
    }

    /// The operator a session cookie stands for, if the session is still good; using it
    /// counts as activity.
    public func session(token: String) -> ConsoleOperator? {
        refresh()
        let key = Self.key(token)
        guard problem == nil, let session = sessions[key] else { return nil }
        let at = now()
        guard at.timeIntervalSince(session.lastUsed) < policy.idleTimeout,
              at.timeIntervalSince(session.created) < policy.absoluteTimeout,
              let account = accounts[session.name], !account.disabled,
              account.role == session.role, account.password == session.password
        else {
            sessions[key] = nil
            return nil
        }
        sessions[key]?.lastUsed = at
        return ConsoleOperator(role: session.role, name: session.name, session: key)
    }

    /// Ends a session.
    public func signOut(token: String) {
        sessions[Self.key(token)] = nil
    }

    /// Sessions open now (for tests and metrics).
    public var sessionCount: Int { sessions.count }

    /// Runs scrypt away from the actor, so one slow check does not hold up every request.
    @concurrent private nonisolated static func check(_ password: String, against hash: PasswordHash) async -> Bool {
        hash.matches(password)
    }

    /// Drops failures older than `cutoff` for `source`, and, when many sources are remembered
    /// (a guesser spread over many addresses), for every source, so memory stays bounded.
    private func forgetFailures(before cutoff: Date, of source: String) {
        if recentFailures.count > 10_000 {
            recentFailures = recentFailures.compactMapValues { times in
                let kept = times.filter { $0 > cutoff }
                return kept.isEmpty ? nil : kept
            }
        }
        guard var times = recentFailures[source] else { return }
        times.removeFirst(times.prefix { $0 <= cutoff }.count)
        recentFailures[source] = times.isEmpty ? nil : times
    }

    private func recordFailure(_ name: String, known: String?, source: String, at: Date) -> SignIn {
        if failures.count > 10_000 { failures = failures.filter { at.timeIntervalSince($0.value.last) < policy.lockout } }
        recentFailures[source, default: []].append(at)
        var entry = failures[name] ?? Failures(count: 0, lockedUntil: nil, last: at)
        if let until = entry.lockedUntil, until <= at { entry = Failures(count: 0, lockedUntil: nil, last: at) }
        entry.count += 1
        entry.last = at
        defer { failures[name] = entry }
        if entry.count >= policy.failuresBeforeLockout {
            entry.lockedUntil = at.addingTimeInterval(policy.lockout)
            return .lockedOut(name: known, newly: true)
        }
        return .refused
    }

    private func evictSessions(at: Date) {
        sessions = sessions.filter {
            at.timeIntervalSince($0.value.lastUsed) < policy.idleTimeout && at.timeIntervalSince($0.value.created) < policy.absoluteTimeout
        }
        while sessions.count >= policy.maximumSessions, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
            sessions[oldest.key] = nil
        }
    }

    /// Re-reads the file when its modification time, size or inode changed.
    private func refresh() {
        let stamp = FileStamp(file)
        guard stamp != loaded else { return }
        loaded = stamp
        do throws(AccountsFileError) {
            accounts = Dictionary(uniqueKeysWithValues: try AccountsFile.load(file).map { ($0.name, $0) })
            problem = nil
        } catch {
            accounts = [:]
            problem = error
        }
    }

    /// Why the accounts file does not load now, if it does not.
    public var loadProblem: AccountsFileError? {
        refresh()
        return problem
    }

    /// Sessions are stored under a hash of their token, so the token itself (the bearer
    /// secret) is held only by the browser.
    static func key(_ token: String) -> String {
        Hex.encode(SHA256.hash(Array(token.utf8)))
    }
}

/// What identifies one version of a file on disk.
struct FileStamp: Equatable {
    let modified: Date?
    let size: Int?
    let inode: Int?

    init?(_ url: URL) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        modified = attributes[.modificationDate] as? Date
        size = (attributes[.size] as? NSNumber)?.intValue
        inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue
    }
}
