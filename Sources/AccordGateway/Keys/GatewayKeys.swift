public import AccordAudit
public import AccordCrypto
public import AccordPolicy
import Foundation

/// The gateway's own key material and trust, read from the certificates directory:
///
/// - the CAs the registry names (`ca:` of each agency, `ca.pem` by default) and the operator
///   CA, each trusted only for the identities bound to it (`RegistryTrust`), and CRLs;
/// - `gateway/tls.pem`, `gateway/tls-key.pem`: the listener's certificate;
/// - `gateway/signing-key.pem`: the Ed25519 audit key that signs checkpoints;
/// - `gateway/binding-key.pem`: the key that signs key-binding JWTs (ES256 by default, since
///   the SD-JWT reference libraries verify ES256 key binding); falls back to the audit key;
/// - `gateway/subject-hmac.key`: the secret for keyed subject hashes;
/// - `agencies/<id>/signing.pem`: the certificates agencies sign messages with;
/// - `gateway/push-client.pem`, when there is one: the push client certificate, read here only
///   so that a trust reload can tell it was renewed (the push endpoints load it themselves).
public struct GatewayKeys: Sendable {
    public let trustStore: TrustStore
    public let tlsChain: [Certificate]
    public let tlsKey: PrivateKey
    public let auditKey: PrivateKey
    public let bindingKey: PrivateKey
    /// Binding keys kept after a rotation (`gateway/binding-keys/*.pem`), still accepted in
    /// `cnf.jwk` and used for the deliveries that name them.
    public let previousBindingKeys: [PrivateKey]
    public let subjectKey: SubjectKey
    public let signingCertificates: [Certificate]
    /// Empty when there is none or it does not read: push is then off, which the push
    /// endpoints report, and the listeners still start.
    public let pushChain: [Certificate]

    public init(trustStore: TrustStore, tlsChain: [Certificate], tlsKey: PrivateKey, auditKey: PrivateKey, bindingKey: PrivateKey,
                subjectKey: SubjectKey, signingCertificates: [Certificate], previousBindingKeys: [PrivateKey] = [], pushChain: [Certificate] = []) {
        self.previousBindingKeys = previousBindingKeys
        self.pushChain = pushChain
        self.trustStore = trustStore
        self.tlsChain = tlsChain
        self.tlsKey = tlsKey
        self.auditKey = auditKey
        self.bindingKey = bindingKey
        self.subjectKey = subjectKey
        self.signingCertificates = signingCertificates
    }

    /// The audit key alone (`gateway/signing-key.pem`), which opens the store before the
    /// registry that the trust depends on is known.
    public static func loadAuditKey(directory: String) throws(GatewayStartupError) -> PrivateKey {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("gateway/signing-key.pem").path
        do { return try PrivateKey(pemFile: path) } catch {
            throw GatewayStartupError("\(path): \(error) (run 'accord pki init' for a development PKI)")
        }
    }

    /// Loads everything above; the error names the file that is missing or unreadable, or
    /// the registry entry whose CA is.
    public static func load(
        directory: String, agencies: some Collection<Agency>, operatorCA: String = RegistryTrust.defaultCA,
        gateways: [PartnerGateway] = [], acceptsLapsedCRLs: Bool = false
    ) throws(GatewayStartupError) -> GatewayKeys {
        let base = URL(fileURLWithPath: directory)
        func path(_ relative: String) -> String { base.appendingPathComponent(relative).path }
        func attempt<T>(_ file: String, _ body: () throws -> T) throws(GatewayStartupError) -> T {
            do { return try body() } catch {
                throw GatewayStartupError("\(file): \(error) (run 'accord pki init' for a development PKI)")
            }
        }
        let trust: TrustStore
        do {
            trust = try RegistryTrust.load(certificatesDirectory: directory, agencies: agencies, operatorCA: operatorCA,
                                           gateways: gateways, acceptsLapsedCRLs: acceptsLapsedCRLs)
        } catch {
            throw GatewayStartupError("the trust in \(directory) does not load:\n\(error)")
        }
        let chain = try attempt(path("gateway/tls.pem")) { try Certificate.all(pemFile: path("gateway/tls.pem")) }
        let tlsKey = try attempt(path("gateway/tls-key.pem")) { try PrivateKey(pemFile: path("gateway/tls-key.pem")) }
        let auditKey = try attempt(path("gateway/signing-key.pem")) { try PrivateKey(pemFile: path("gateway/signing-key.pem")) }
        let bindingPath = path("gateway/binding-key.pem")
        let bindingKey = FileManager.default.fileExists(atPath: bindingPath)
            ? try attempt(bindingPath) { try PrivateKey(pemFile: bindingPath) } : auditKey
        let subjectPath = path("gateway/subject-hmac.key")
        let subjectKey = try attempt(subjectPath) { try SubjectKey(hex: String(contentsOfFile: subjectPath, encoding: .utf8)) }
        var signing: [Certificate] = []
        let agencies = base.appendingPathComponent("agencies")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: agencies.path))?.sorted() ?? []
        for name in names {
            let file = agencies.appendingPathComponent(name).appendingPathComponent("signing.pem").path
            guard FileManager.default.fileExists(atPath: file) else { continue }
            signing += try attempt(file) { try Certificate.all(pemFile: file) }
        }
        guard !chain.isEmpty else { throw GatewayStartupError("\(path("gateway/tls.pem")): no certificate") }
        // Said here, naming both files, rather than by OpenSSL when a listener's context is built.
        guard (try? chain[0].publicKey) == tlsKey.publicKey else {
            throw GatewayStartupError("\(path("gateway/tls-key.pem")) is not the key of the first certificate in \(path("gateway/tls.pem")); replace them together")
        }
        var previous: [PrivateKey] = []
        let kept = base.appendingPathComponent("gateway/binding-keys")
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: kept.path)) ?? []).sorted() where name.hasSuffix(".pem") {
            let file = kept.appendingPathComponent(name).path
            previous.append(try attempt(file) { try PrivateKey(pemFile: file) })
        }
        let push = (try? Certificate.all(pemFile: path("gateway/push-client.pem"))) ?? []
        return GatewayKeys(trustStore: trust, tlsChain: chain, tlsKey: tlsKey, auditKey: auditKey, bindingKey: bindingKey,
                           subjectKey: subjectKey, signingCertificates: signing, previousBindingKeys: previous, pushChain: push)
    }
}

/// Why the gateway could not start: a missing file, a bad key, a database it cannot open.
public struct GatewayStartupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
