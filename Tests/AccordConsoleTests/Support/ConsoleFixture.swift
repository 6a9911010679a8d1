import AccordCore
import AccordAudit
import AccordConsole
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordPolicyFiles
import AccordServer
import AccordStore
import AccordTestSupport
import AccordTLS
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing

/// A console over a gateway in process, as `accord serve` mounts it: the real store (SQLite,
/// in memory), the gateway's own held-message review and agreement control, a copy of the
/// shipped agreements and a development PKI with operators. Every audit record and held
/// message the console shows comes from traffic sent through `Gateway.submit` and picked up
/// through its inbox (`sendTraffic`). Requests name their identity in a test header instead
/// of a client certificate.
struct ConsoleFixture {
    static let origin = "accord.test/audit"
    static let identityHeader = HTTPField.Name("x-test-identity")!
    static let hostile = "<script>alert('x')</script>"
    /// The day every fixture runs on, so that no agreement lapses under a test: 2026-05-28.
    static let now = Date(timeIntervalSince1970: 1_780_000_000)
    /// The set in force once the gateway has started: its first start on a new database
    /// records the set it loaded, as a second generation (`GatewayServer`).
    static let startedGeneration = 2

    let root: URL
    let agreements: URL
    let certificates: URL
    let pki: DevelopmentPKI
    let store: SQLiteStore
    let gateway: Gateway
    let control: GatewayAgreementControl
    var environment: ConsoleEnvironment
    let subjectKey: SubjectKey
    /// The gateway's clock: `now`, set back only while older traffic is sent.
    let clock = PinnedClock(ConsoleFixture.now)
    let traffic = SentMessages()
    var now: Date { Self.now }

    init() throws {
        root = try PackageRoot.temporaryDirectory("console")
        agreements = root.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        try Self.allowCaseReference(in: agreements)
        certificates = root.appendingPathComponent("Certificates")
        pki = DevelopmentPKI(directory: certificates.appendingPathComponent("dev"))
        // Certificates are issued, and checked, on the wall clock, as the gateway checks them.
        _ = try pki.ensure(agencies: [.init(id: "nz.police", name: "New Zealand Police"), .init(id: "nz.immigration", name: "Immigration New Zealand"),
                                      .init(id: "fj.immigration", name: "Department of Immigration, Fiji")],
                           operators: DevelopmentPKI.Operator.development)
        let clock = self.clock
        let policy = try ActivePolicy(directory: agreements, today: CalendarDate(Self.now), hashing: SHA256.Hasher.self)
        let keys = try GatewayKeys.load(directory: pki.directory.path, agencies: policy.current.policy.set.agencies.values)
        store = try SQLiteStore.inMemory(configuration: StoreConfiguration(
            origin: Self.origin, signer: try NoteSigner(name: Self.origin, privateKey: keys.auditKey),
            checkpointEveryLeaves: 100_000, checkpointInterval: .seconds(3600), now: { clock.now() }))
        var options = Gateway.Options()
        options.auditOrigin = Self.origin
        gateway = try Gateway(store: store, policy: policy, keys: keys, options: options,
                              logger: Logger(label: "console-test", factory: { _ in SwiftLogNoOpLogHandler() }),
                              now: { clock.now() }, certificateTime: { Date() })
        control = GatewayAgreementControl(gateway: gateway, directory: agreements)
        subjectKey = keys.subjectKey
        environment = ConsoleEnvironment(
            store: store, subjectKey: subjectKey, auditVerifier: try NoteVerifier(name: Self.origin, publicKey: keys.auditKey.publicKey),
            agreementsDirectory: agreements, certificatesDirectory: certificates, agreements: control,
            review: GatewayHeldReview(gateway: gateway), csrfSecret: [UInt8](repeating: 3, count: 32), now: { clock.now() },
            identify: { request in Self.identity(request.headers[Self.identityHeader]) }
        )
    }

    /// Lets Police give Immigration NZ its case reference (`accord.case_ref`) under the
    /// victim-protection flow, which holds every delivery: the sender's own text in clear, and
    /// the one routing claim the held page shows that no controlled vocabulary limits, so the
    /// page's escaping is tested on what a real submission carries.
    static func allowCaseReference(in directory: URL) throws {
        let schema = directory.appendingPathComponent("schemas/referral.yaml")
        let claim = "  - path: accord.case_ref\n    type: string\n    description: The sender's case reference\n"
        try (String(contentsOf: schema, encoding: .utf8) + claim).write(to: schema, atomically: true, encoding: .utf8)
        let agreement = directory.appendingPathComponent("inz-police-investigations.yaml")
        let text = try String(contentsOf: agreement, encoding: .utf8)
        let flow = "    review: privacy-officer\n    disclose:\n"
        let edited = text.replacingOccurrences(of: flow, with: flow + "      - accord.case_ref\n")
        try #require(edited != text, "the victim-protection flow of inz-police-investigations.yaml has no disclose list to extend")
        try edited.write(to: agreement, atomically: true, encoding: .utf8)
    }

    /// `operator:<role>:<name>` or `agency:<id>` from the test header.
    static func identity(_ header: String?) -> TLSPeer.Identity? {
        guard let header else { return nil }
        let parts = header.split(separator: ":", maxSplits: 2).map(String.init)
        switch (parts.first, parts.count) {
        case ("operator", 3): return .operator(role: parts[1], name: parts[2])
        case ("agency", 2): return .agency(AgencyIdentity(agencyID: parts[1]))
        default: return nil
        }
    }

    static let officer: HTTPFields = [identityHeader: "operator:privacy-officer:officer"]
    static let admin: HTTPFields = [identityHeader: "operator:administrator:admin"]
    static let auditor: HTTPFields = [identityHeader: "operator:auditor:auditor"]
    static let agency: HTTPFields = [identityHeader: "agency:nz.police"]

    /// The CSRF token the console gives `actor`'s forms, read from a rendered page.
    static func csrf(in page: String) -> String? {
        guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(page[range.upperBound...].prefix { $0 != "\"" })
    }

    /// The value of a hidden form field, as the browser would send it.
    static func field(_ name: String, in page: String) -> String? {
        guard let range = page.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return unescape(String(page[range.upperBound...].prefix { $0 != "\"" }))
    }

    /// The text of the page's textarea, as the browser would send it.
    static func textarea(in page: String) -> String? {
        guard let open = page.range(of: "<textarea"), let start = page[open.upperBound...].range(of: ">"),
              let end = page[start.upperBound...].range(of: "</textarea>") else { return nil }
        return unescape(String(page[start.upperBound ..< end.lowerBound]))
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x2F;", with: "/").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Runs the console in-process with the store's writer and the console's verification
    /// service running, once the gateway has started and sent its traffic. `store` replaces
    /// the store the console sees.
    func test(store console: (any AccordStorage)? = nil, _ body: @Sendable (RouterClient) async throws -> Void) async throws {
        var environment = environment
        if let console { environment.store = console }
        let client = RouterClient(responder: try ConsoleRoutes.router(environment: environment).buildResponder())
        let runs = environment.integrityRuns
        try await store.whileRunning {
            try await start()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runs.run() }
                do {
                    try await body(client)
                    group.cancelAll()
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        }
    }

    /// Follows a verification's status page until the run has finished; its last page.
    static func finishedRun(_ client: RouterClient, _ location: String, _ headers: HTTPFields) async throws -> String {
        for _ in 0 ..< 500 {
            let (status, page) = try await client.page(location, headers)
            guard status == .ok else { return page }
            if !page.contains("http-equiv=\"refresh\"") { return page }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the verification did not finish")
        return ""
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: root)
    }

    func records(_ event: AuditEvent) async throws -> [AuditRecord] {
        try await store.query(AuditQuery(events: [event])).map(\.record)
    }
}

extension SQLiteStore {
    /// Runs the writer around `body`, then stops it as a service manager would.
    func whileRunning<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            do {
                let result = try await body()
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

extension RouterClient {
    /// A request whose body is a form; answers status and body text.
    func form(_ uri: String, _ headers: HTTPFields, _ fields: [(String, String)]) async throws -> (HTTPResponse.Status, String) {
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: all, body: ByteBuffer(string: body)) { ($0.status, String(buffer: $0.body)) }
    }

    /// A form whose answer is a redirect: status and `Location`.
    func redirect(_ uri: String, _ headers: HTTPFields, _ fields: [(String, String)]) async throws -> (HTTPResponse.Status, String?) {
        var all = headers
        all[.contentType] = "application/x-www-form-urlencoded"
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: all, body: ByteBuffer(string: body)) { ($0.status, $0.headers[.location]) }
    }

    func page(_ uri: String, _ headers: HTTPFields) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: uri, method: .get, headers: headers) { ($0.status, String(buffer: $0.body)) }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
