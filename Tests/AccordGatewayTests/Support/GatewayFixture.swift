import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordPolicyFiles
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
    /// The agreements directory the policy started from.
    let agreements: URL
    private let writer: Task<Void, Never>

    /// `agreements`: the directory the policy starts from (default: the shipped agreements, in
    /// force on the day `now` gives, so that no test starts failing when one of them lapses).
    /// `editAgreements`, when given, changes a copy of it before the gateway loads it; the PKI
    /// still holds a certificate for every agency of the shipped registry.
    init(
        options: Gateway.Options = Gateway.Options(), editAgreements: ((URL) throws -> Void)? = nil,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        agreements: URL? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        directory = try PackageRoot.temporaryDirectory("gateway")
        let shipped = PackageRoot.url.appendingPathComponent("Agreements")
        let registry = try ActivePolicy(directory: shipped, today: CalendarDate(now()), hashing: SHA256.Hasher.self)
        let source = try agreements ?? AgreementsInForce.copy(into: directory.appendingPathComponent("in-force"), today: now())
        if let editAgreements {
            let edited = directory.appendingPathComponent("edited-agreements")
            try FileManager.default.copyItem(at: source, to: edited)
            try editAgreements(edited)
            self.agreements = edited
            policy = try ActivePolicy(directory: edited, today: CalendarDate(now()), hashing: SHA256.Hasher.self)
        } else {
            self.agreements = source
            policy = try ActivePolicy(directory: source, today: CalendarDate(now()), hashing: SHA256.Hasher.self)
        }
        pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        let agencies = registry.current.policy.set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }
        _ = try pki.ensure(agencies: agencies.sorted { $0.id < $1.id })
        keys = try GatewayKeys.load(directory: pki.directory.path, agencies: policy.current.policy.set.agencies.values)
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
        classification: String = "IN-CONFIDENCE", jti: String = UUID().uuidString, content: [String: JSONValue] = GatewayFixture.referral,
        issuedAt: Date = Date(), lifetime: TimeInterval = 3600, holderKey: PublicKey? = nil, agreement: String? = nil
    ) throws -> String {
        let key = try PrivateKey(pemFile: pki.agencySigningKey(agency).path)
        let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
        var message = content
        message["iss"] = .string(agency)
        message["jti"] = .string(jti)
        message["iat"] = .integer(Int(issuedAt.timeIntervalSince1970))
        message["exp"] = .integer(Int(issuedAt.timeIntervalSince1970 + lifetime))
        message["accord"] = .object([
            "type": .string(type), "to": .array(recipients.map(JSONValue.string)), "purpose": .string(purpose),
            "classification": .string(classification),
        ])
        if let agreement, case .object(var accord)? = message["accord"] {
            accord["agreement"] = .string(agreement)
            message["accord"] = .object(accord)
        }
        return try issuer.issue(message, holderKey: holderKey ?? keys.bindingKey.publicKey)
    }

    /// Signs a hand-built payload as `agency`, for messages `SDJWTIssuer` would never make:
    /// `payload` gets the routing claims, `_sd_alg` and the gateway's `cnf` unless it has its own;
    /// `header` members are added to the usual ones.
    func sign(
        from agency: String, to recipients: [String], type: String, payload: [String: JSONValue],
        disclosures: [String], header extra: [String: JSONValue] = [:]
    ) throws -> String {
        let key = try PrivateKey(pemFile: pki.agencySigningKey(agency).path)
        var header: [String: JSONValue] = [
            "alg": .string(key.algorithm.jwsName), "typ": "accord+sd-jwt", "kid": .string(key.publicKey.jwk.thumbprintBase64URL),
        ]
        header.merge(extra) { _, new in new }
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: JSONValue] = [
            "iss": .string(agency), "jti": .string(UUID().uuidString), "iat": .integer(now), "exp": .integer(now + 600),
            "accord": .object([
                "type": .string(type), "to": .array(recipients.map(JSONValue.string)), "purpose": "law-enforcement",
                "classification": "IN-CONFIDENCE",
            ]),
            "_sd_alg": "sha-256",
        ]
        let jwk = keys.bindingKey.publicKey.jwk
        claims["cnf"] = ["jwk": ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x), "y": .string(jwk.y ?? "")]]
        claims.merge(payload) { _, new in new }
        let jwt = try CompactJWS.sign(header: CanonicalJSON.encode(.object(header)), payload: CanonicalJSON.encode(.object(claims)),
                                      signer: JWSSigner(key: key))
        return disclosures.reduce(jwt + "~") { $0 + $1 + "~" }
    }

    /// An encoded disclosure built by hand, and its digest.
    static func disclosure(_ elements: [JSONValue]) -> (encoded: String, digest: JSONValue) {
        guard let bytes = try? CanonicalJSON.encode(.array(elements)) else {
            preconditionFailure("a fixture disclosure holds a number with no canonical form")
        }
        let encoded = Base64URL.encode(bytes)
        return (encoded, .string(Base64URL.encode(SHA256.hash(Array(encoded.utf8)))))
    }

    /// Police's victim-protection referral to Immigration NZ, which `inz-police-investigations`
    /// holds for a privacy officer, with the victim's address withheld.
    func issueHeldReferral() throws -> String {
        try issue(from: "nz.police", to: ["nz.immigration"], purpose: "victim-protection", classification: "SENSITIVE",
                  content: ["subject": .object(["family_name": "Tupou", "visa_number": "V998877", "address": "12 Main St"]),
                            "victim_status": "suspected-victim"])
    }

    /// A referral whose informant and health details no INZ→Police flow discloses.
    static let referral: [String: JSONValue] = [
        "subject": .object([
            "family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567",
        ]),
        "indicators": .array(["passport-or-id-withheld", "debt-bondage"]),
        "summary": "Worker reports passport held by employer",
        "informant": .object(["name": "Mele Informant"]),
        "health": .object(["concerns": "untreated injury"]),
    ]

    /// Values of `referral` that must never reach the audit log or a log line.
    static let payloadValues = ["Tupou", "Sione", "FJ1234567", "Mele Informant", "untreated injury"]
}

extension GatewayFixture {
    /// A message as the Python reference library (`sd-jwt`) issues it through
    /// `Tests/Interop/sdjwt_issue.py`: every claim selectively disclosable, recursively, but
    /// for the members named in `clearMembers`; `header` adds protected-header parameters.
    func issueWithReferenceLibrary(
        from agency: String, to recipients: [String], type: String, content: [String: JSONValue],
        clearMembers: [String] = [], header: [String: JSONValue] = [:], decoys: Bool = false
    ) async throws -> String {
        let key = try PrivateKey(pemFile: pki.agencySigningKey(agency).path)
        let now = Int(Date().timeIntervalSince1970)
        var claims = content
        claims["iss"] = .string(agency)
        claims["jti"] = .string(UUID().uuidString)
        claims["iat"] = .integer(now)
        claims["exp"] = .integer(now + 600)
        claims["accord"] = .object([
            "type": .string(type), "to": .array(recipients.map(JSONValue.string)), "purpose": "law-enforcement",
            "classification": "IN-CONFIDENCE",
        ])
        let jwk = keys.bindingKey.publicKey.jwk
        let request: JSONValue = .object([
            "claims": .object(claims), "issuer_key_pem": .string(try key.pemPKCS8()), "alg": .string(key.algorithm.jwsName),
            "kid": .string(key.publicKey.jwk.thumbprintBase64URL), "typ": "accord+sd-jwt",
            "holder_jwk": ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x), "y": .string(jwk.y ?? "")],
            "clear": ["iss", "jti", "iat", "exp", "accord"], "decoys": .bool(decoys),
            "clear_members": .array(clearMembers.map(JSONValue.string)), "header": .object(header),
        ])
        let output = try await ExternalProcess.python("sdjwt_issue.py", input: CanonicalJSON.string(request))
        guard output.status == 0, case .object(let answer) = try JSONParser.parse(Array(output.standardOutput.utf8)),
              case .string(let text)? = answer["sd_jwt"] else {
            throw ReferenceLibraryFailure(description: "sdjwt_issue.py failed (\(output.status)): \(output.standardError)")
        }
        return text
    }
}

/// The reference library's script ran but gave no SD-JWT.
struct ReferenceLibraryFailure: Error, CustomStringConvertible {
    let description: String
}
