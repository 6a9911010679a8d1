import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Logging

/// A gateway over a throwaway PKI (every agency in the shipped registry), the shipped
/// agreements, and a store in a temporary file, with its writer running.
final class GatewayFixture: @unchecked Sendable {
    let directory: URL
    let pki: DevelopmentPKI
    let keys: GatewayKeys
    let store: SQLiteStore
    let gateway: Gateway
    let policy: ActivePolicy
    private let writer: Task<Void, Never>

    /// `agreements`: the directory the policy starts from (default: the shipped agreements).
    init(options: Gateway.Options = Gateway.Options(), logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
         agreements: URL? = nil, now: @escaping @Sendable () -> Date = { Date() }) throws {
        directory = try PackageRoot.temporaryDirectory("gateway")
        policy = try ActivePolicy(directory: agreements ?? PackageRoot.url.appendingPathComponent("Agreements"), today: CalendarDate(now()))
        pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        let agencies = policy.current.policy.set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id, name: $0.name) }
        _ = try pki.ensure(agencies: agencies.sorted { $0.id < $1.id })
        keys = try GatewayKeys.load(directory: pki.directory.path)
        store = try SQLiteStore.open(path: directory.appendingPathComponent("accord.sqlite").path, configuration: StoreConfiguration(
            origin: "test.accord/audit", signer: NoteSigner(name: "test.accord/audit", privateKey: keys.auditKey)))
        let store = self.store
        writer = Task { await store.run() }
        var options = options
        options.auditOrigin = "test.accord/audit"
        gateway = try Gateway(store: store, policy: policy, keys: keys, options: options, logger: logger, now: now)
    }

    func cleanUp() async {
        writer.cancel()
        await writer.value
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body`, then stops the writer and removes the files, waiting for both, whether
    /// `body` threw or not.
    func closing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await cleanUp()
            return result
        } catch {
            await cleanUp()
            throw error
        }
    }

    /// Issues a message as `agency` with its development signing key, bound to the gateway.
    func issue(
        from agency: String, to recipients: [String], type: String = "referral", purpose: String = "law-enforcement",
        classification: String = "IN-CONFIDENCE", jti: String = UUID().uuidString, content: [String: AccordMessages.JSONValue] = GatewayFixture.referral,
        issuedAt: Date = Date(), lifetime: TimeInterval = 3600, holderKey: PublicKey? = nil
    ) throws -> String {
        let key = try PrivateKey(pemFile: pki.agencySigningKey(agency).path)
        let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
        var message = content
        message["iss"] = .string(agency)
        message["jti"] = .string(jti)
        message["iat"] = .integer(Int(issuedAt.timeIntervalSince1970))
        message["exp"] = .integer(Int(issuedAt.timeIntervalSince1970 + lifetime))
        message["accord"] = .object([
            "type": .string(type), "to": .array(recipients.map(AccordMessages.JSONValue.string)), "purpose": .string(purpose),
            "classification": .string(classification),
        ])
        return try issuer.issue(message, holderKey: holderKey ?? keys.bindingKey.publicKey)
    }

    /// A referral whose informant and health details no INZ→Police flow discloses.
    static let referral: [String: AccordMessages.JSONValue] = [
        "subject": .object([
            "family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567",
        ]),
        "indicators": .array(["passport withheld", "debt bondage"]),
        "summary": "Worker reports passport held by employer",
        "informant": .object(["name": "Mele Informant"]),
        "health": .object(["concerns": "untreated injury"]),
    ]

    /// Values of `referral` that must never reach the audit log or a log line.
    static let payloadValues = ["Tupou", "Sione", "FJ1234567", "Mele Informant", "untreated injury", "debt bondage"]
}
