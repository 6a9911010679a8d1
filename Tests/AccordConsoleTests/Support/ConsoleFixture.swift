import AccordCore
import AccordAudit
import AccordConsole
import AccordCrypto
import AccordPolicy
import AccordStore
import AccordTestSupport
import AccordTLS
import Foundation
import HTTPTypes
import Hummingbird
import Testing

/// A console over an in-memory store seeded with messages (one held, with `<script>` in its
/// routing claims), a copy of the shipped agreements, and a development PKI with operators.
/// Requests name their identity in a test header instead of a client certificate.
struct ConsoleFixture {
    static let origin = "accord.test/audit"
    static let identityHeader = HTTPField.Name("x-test-identity")!
    static let hostile = "<script>alert('x')</script>"

    let root: URL
    let agreements: URL
    let certificates: URL
    let store: SQLiteStore
    let control: TestAgreementControl
    var environment: ConsoleEnvironment
    let subjectKey: SubjectKey
    let now: Date

    init() throws {
        root = try PackageRoot.temporaryDirectory("console")
        agreements = root.appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: agreements)
        certificates = root.appendingPathComponent("Certificates")
        let pki = DevelopmentPKI(directory: certificates.appendingPathComponent("dev"))
        _ = try pki.ensure(agencies: [.init(id: "nz.police", name: "New Zealand Police"), .init(id: "nz.immigration", name: "Immigration New Zealand")],
                           operators: DevelopmentPKI.Operator.development)
        let fixedNow = Date(timeIntervalSince1970: 1_780_000_000) // 2026-05-28
        now = fixedNow
        let signingKey = try PrivateKey.generate(.edDSA)
        store = try SQLiteStore.inMemory(configuration: StoreConfiguration(
            origin: Self.origin, signer: try NoteSigner(name: Self.origin, privateKey: signingKey),
            checkpointEveryLeaves: 100_000, checkpointInterval: .seconds(3600), now: { fixedNow }))
        control = try TestAgreementControl(directory: agreements, store: store, now: { fixedNow })
        subjectKey = try SubjectKey(secret: [UInt8](repeating: 7, count: 32))
        environment = ConsoleEnvironment(
            store: store, subjectKey: subjectKey, auditVerifier: try NoteVerifier(name: Self.origin, publicKey: signingKey.publicKey),
            agreementsDirectory: agreements, certificatesDirectory: certificates, agreements: control,
            review: TestHeldReview(store: store, now: { fixedNow }), csrfSecret: [UInt8](repeating: 3, count: 32), now: { fixedNow },
            identify: { request in Self.identity(request.headers[Self.identityHeader]) }
        )
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

    /// A compact JWS-shaped SD-JWT whose payload carries `routing` in clear (unsigned: the
    /// console only displays routing claims the gateway already verified).
    static func sdJWT(_ routing: [String: Any]) throws -> String {
        let payload = try JSONSerialization.data(withJSONObject: routing)
        return "eyJhbGciOiJFUzI1NiJ9.\(Base64URL.encode(Array(payload))).c2ln~"
    }

    /// Messages: m-held (held for review, hostile routing claims), m-held-2, and delivered
    /// ones with a passport subject; then a checkpoint.
    ///
    /// These records are written by hand, in the shape `Gateway` writes them (the recipient is
    /// the actor of `message.delivered`; a held record lists what would be disclosed and
    /// withheld), because routing claims no agency could get accepted (a `<script>` in the
    /// purpose) test the escaping. The same pages on what the gateway itself writes are tested
    /// in AccordGatewayTests: `LivePrivacyOfficerTests`, `LiveFlowsTests`, `LiveConsoleTests`.
    static func digest(_ text: String) -> String {
        "sha-256:" + Hex.encode(SHA256.hash(text))
    }

    static func envelope(_ redacted: String, to agreement: AgreementReference, type: String, time: Date) -> DeliveryEnvelope {
        DeliveryEnvelope(redacted: redacted, sender: "nz.immigration", type: type, purpose: "law-enforcement", agreementID: agreement.id,
                         agreementDigest: agreement.versionDigest, withheld: [], receivedMilliseconds: AuditTime.milliseconds(time))
    }

    func seed() async throws {
        let agreement = AgreementReference(id: "inz-fiji-s305", versionDigest: control.active.setDigest)
        for id in ["m-held", "m-held-2"] {
            // As every stored message has, having passed verification: the console reads them strictly.
            let jwt = try Self.sdJWT(["iss": "nz.immigration", "jti": id, "iat": 1_780_272_000, "exp": 1_780_358_400, "accord": [
                "type": "referral", "to": ["fj.immigration"], "purpose": "law-enforcement \(Self.hostile)",
                "classification": "IN-CONFIDENCE", "case_ref": "CASE-\(Self.hostile)"]])
            _ = try await store.accept(Submission(
                message: .init(id: id, sender: "nz.immigration", sdJWT: jwt, submissionDigest: Self.digest(jwt), receivedAt: now,
                               retainUntil: now.addingTimeInterval(86_400 * 30)),
                deliveries: [.init(id: "\(id)/fj.immigration", recipient: "fj.immigration", state: .held,
                                   envelope: Self.envelope("p~", to: agreement, type: "referral", time: now))],
                audit: [
                    AuditRecord(event: .messageAccepted, time: now, actor: "nz.immigration", messageID: id, from: "nz.immigration",
                                to: ["fj.immigration"], subjects: [subjectKey.hash(type: "passport", value: "FJ998877")]),
                    AuditRecord(event: .messageHeld, time: now, actor: "nz.immigration", messageID: id, deliveryID: "\(id)/fj.immigration",
                                from: "nz.immigration", to: ["fj.immigration"], agreement: agreement,
                                disclosed: ["subject.family_name"], withheld: ["informant.name"], reason: "review-required"),
                ]))
        }
        for (offset, id) in ["m-1", "m-2", "m-3"].enumerated() {
            let time = now.addingTimeInterval(-Double(offset) * 86_400)
            let jwt = try Self.sdJWT(["iss": "nz.immigration"])
            _ = try await store.accept(Submission(
                message: .init(id: id, sender: "nz.immigration", sdJWT: jwt, submissionDigest: Self.digest(jwt), receivedAt: time,
                               retainUntil: time.addingTimeInterval(86_400 * 30)),
                deliveries: [.init(id: "\(id)/nz.police", recipient: "nz.police", state: .delivered,
                                   envelope: Self.envelope("p~", to: AgreementReference(id: "inz-police-investigations", versionDigest: "d"),
                                                           type: "referral", time: time))],
                audit: [AuditRecord(event: .messageDelivered, time: time, actor: "nz.police", messageID: id, deliveryID: "\(id)/nz.police",
                                    from: "nz.immigration", to: ["nz.police"],
                                    agreement: AgreementReference(id: "inz-police-investigations", versionDigest: "d"),
                                    disclosed: ["subject.family_name"], subjects: [subjectKey.hash(type: "passport", value: "NZ4455667")],
                                    details: ["attempt": "1", "type": "referral", "purpose": "law-enforcement"])]))
        }
        _ = try await store.checkpointNow()
    }

    /// Runs the console in-process with the store's writer and the console's verification
    /// service running, seeded. `store` replaces the store the console sees.
    func test(store console: (any AccordStorage)? = nil, _ body: @Sendable (RouterClient) async throws -> Void) async throws {
        var environment = environment
        if let console { environment.store = console }
        let client = RouterClient(responder: try ConsoleRoutes.router(environment: environment).buildResponder())
        let runs = environment.integrityRuns
        try await store.whileRunning {
            try await seed()
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
