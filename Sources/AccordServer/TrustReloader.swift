import AccordCore
import AccordAudit
import AccordCrypto
public import AccordGateway
import AccordPolicy
import AccordStore
import AccordTLS
public import Foundation
import Logging
import NIOCore

/// Replaces the trust a running gateway verifies with — trust anchors, CRLs, the gateway's TLS
/// certificate and key, agency signing certificates, and the registry's CA bindings — without
/// a restart (docs/operations.md, "Replacing certificates and CRLs"). Everything is read and
/// validated first, then swapped at once; a set that fails leaves the running one in place.
/// Connections already established keep the trust they were verified with.
actor TrustReloader {
    private let configuration: GatewayConfiguration
    private let gateway: Gateway
    private let store: any GatewayStorage
    private let logger: Logger
    private let agencyTLS: TLSContextHolder
    /// The console's listener, when it has one; its client certificates may be optional.
    private let consoleTLS: TLSContextHolder?
    private let consoleCertificates: TLSConfiguration.ClientCertificates
    private var state: TrustState

    init(configuration: GatewayConfiguration, gateway: Gateway, store: any GatewayStorage, keys: GatewayKeys,
         consoleCertificates: TLSConfiguration.ClientCertificates?, logger: Logger) throws(GatewayStartupError) {
        self.configuration = configuration
        self.gateway = gateway
        self.store = store
        self.logger = logger
        self.consoleCertificates = consoleCertificates ?? .required
        let contexts = try Self.contexts(keys, configuration: configuration, console: consoleCertificates)
        agencyTLS = TLSContextHolder(contexts.agency)
        consoleTLS = contexts.console.map(TLSContextHolder.init)
        state = TrustState(keys: keys, registryDigest: gateway.policy.current.setDigest)
    }

    nonisolated var agencyContexts: TLSContextHolder { agencyTLS }
    nonisolated var consoleContexts: TLSContextHolder? { consoleTLS }

    /// The trust in force, for metrics and the console.
    var current: TrustState { state }

    /// When the certificates directory last changed, by the size and time of every file in it.
    private var filesSignature: String?

    /// The push workers' endpoints, whose TLS is built again at each reload.
    private var pushEndpoints: [PushEndpoint] = []

    /// Has each reload build `endpoints`' TLS again: the CRLs and CAs that check an agency's
    /// server certificate, and the gateway's push certificate.
    func reloadsPush(_ endpoints: [PushEndpoint]) {
        pushEndpoints = endpoints
    }

    /// Reloads when a file under the certificates directory changed since the last look.
    func reloadIfFilesChanged() async {
        let signature = Self.signature(of: URL(fileURLWithPath: configuration.certificatesDirectory))
        defer { filesSignature = signature }
        guard let previous = filesSignature, previous != signature else { return }
        _ = await reload(by: "gateway:file-change")
    }

    private static func signature(of directory: URL) -> String {
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.contentModificationDateKey, .fileSizeKey]) else {
            return ""
        }
        var lines: [String] = []
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.contentModificationDateKey, .fileSizeKey]), let size = values.fileSize else { continue }
            lines.append("\(url.path) \(size) \(values.contentModificationDate?.timeIntervalSince1970 ?? 0)")
        }
        return lines.sorted().joined(separator: "\n")
    }

    /// Reads and validates everything, then swaps it in and audits the change; `actor` names
    /// who asked (`operator:sighup`, an operator's identity, `gateway:file-change`).
    func reload(by actor: String) async -> TrustReloadOutcome {
        await rotateAuditKeyIfReplaced(by: actor)
        let keys: GatewayKeys
        let contexts: (agency: TLSContext, console: TLSContext?)
        let pushContexts: [TLSContext]
        do {
            keys = try TrustCheck.keys(configuration, set: gateway.policy.current.policy.set)
            contexts = try Self.contexts(keys, configuration: configuration, console: consoleTLS == nil ? nil : consoleCertificates)
            pushContexts = try Self.pushContexts(pushEndpoints)
        } catch {
            let problems = "\(error)".split(separator: "\n").map(String.init)
            logger.error("trust reload rejected; the trust in force is unchanged", metadata: ["problems": "\(problems.prefix(10))", "by": "\(actor)"])
            await audit(AuditRecord(event: .trustRejected, time: Date(), actor: actor, reason: "invalid-trust",
                                    details: ["problems": "\(problems.count)"]))
            return .rejected(problems)
        }
        do {
            if let (old, new) = try gateway.bindingKeys.replace(current: keys.bindingKey, previous: keys.previousBindingKeys) {
                logger.notice("binding key rotated", metadata: ["by": "\(actor)", "old": "\(old)", "new": "\(new)"])
                await audit(AuditRecord(event: .bindingKeyRotated, time: Date(), actor: actor, details: ["old_key": old, "new_key": new]))
            }
        } catch {
            logger.error("the binding keys did not reload; the ones in force stay", metadata: ["error": "\(error)"])
        }
        let fresh = TrustState(keys: keys, registryDigest: gateway.policy.current.setDigest)
        guard fresh.digest != state.digest else { return .unchanged(fresh) }
        var details = fresh.auditDetails
        if fresh.tlsCertificate != state.tlsCertificate { details["previous_tls_certificate_sha256"] = state.tlsCertificate }
        if fresh.pushCertificate != state.pushCertificate { details["previous_push_certificate_sha256"] = state.pushCertificate }
        agencyTLS.replace(with: contexts.agency)
        if let console = contexts.console { consoleTLS?.replace(with: console) }
        for (endpoint, context) in zip(pushEndpoints, pushContexts) { endpoint.use(context) }
        gateway.signingKeys.replace(trustStore: keys.trustStore, certificates: keys.signingCertificates)
        state = fresh
        logger.notice("trust reloaded", metadata: ["by": "\(actor)", "digest": "\(fresh.digest)"])
        await audit(AuditRecord(event: .trustReloaded, time: Date(), actor: actor, details: details))
        return .reloaded(fresh)
    }

    /// Every push endpoint's TLS as the files give it now. One that cannot be built rejects
    /// the reload, as a TLS key that does not match its certificate does: otherwise the audit
    /// log would record a push certificate that the gateway does not push with.
    private static func pushContexts(_ endpoints: [PushEndpoint]) throws(GatewayStartupError) -> [TLSContext] {
        var contexts: [TLSContext] = []
        for endpoint in endpoints {
            do throws(PushEndpoint.Problem) { contexts.append(try endpoint.freshContext()) } catch {
                throw GatewayStartupError("push: \(error)")
            }
        }
        return contexts
    }

    /// When `gateway/signing-key.pem` holds another key than the one signing checkpoints
    /// (`accord keys rotate audit` wrote it), hands checkpoint signing over to it: an
    /// `audit.key_rotated` leaf and a checkpoint signed by both keys (docs/audit.md).
    private func rotateAuditKeyIfReplaced(by actor: String) async {
        guard let current = store.currentAuditVerifier else { return }
        do {
            let signer = try NoteSigner(name: configuration.auditOrigin,
                                        privateKey: GatewayKeys.loadAuditKey(directory: configuration.certificatesDirectory))
            guard signer.verifier.verifierKey != current.verifierKey else { return }
            let record = AuditRecord(event: .auditKeyRotated, time: Date(), actor: actor,
                                     details: ["old_key": current.verifierKey, "new_key": signer.verifier.verifierKey])
            let (leaf, checkpoint) = try await store.rotateAuditKey(to: signer, record: record)
            gateway.useAuditVerifierKey(signer.verifier.verifierKey)
            logger.notice("audit key rotated", metadata: ["by": "\(actor)", "leaf": "\(leaf)", "checkpoint_size": "\(checkpoint.size)",
                                                          "new_key": "\(signer.verifier.verifierKey)"])
        } catch {
            logger.error("audit key rotation failed; checkpoints are still signed by the key in force", metadata: ["error": "\(error)"])
        }
    }

    private func audit(_ record: AuditRecord) async {
        do { _ = try await gateway.store.append([record]) } catch {
            logger.error("cannot audit a trust reload", metadata: ["error": "\(error)"])
        }
    }

    /// The listeners' TLS contexts over `keys`: the agency API always requires a client
    /// certificate; the console as configured.
    static func contexts(
        _ keys: GatewayKeys, configuration: GatewayConfiguration, console: TLSConfiguration.ClientCertificates?
    ) throws(GatewayStartupError) -> (agency: TLSContext, console: TLSContext?) {
        var tls = TLSConfiguration(
            role: .server, certificateChain: keys.tlsChain, privateKey: keys.tlsKey, trustStore: keys.trustStore,
            minimumVersion: configuration.allowTLS12 ? .tls12 : .tls13,
            handshakeTimeout: .seconds(Int64(configuration.limits.handshakeTimeoutSeconds)))
        do {
            let agency = try TLSContext(tls)
            guard let console else { return (agency, nil) }
            tls.clientCertificates = console
            return (agency, try TLSContext(tls))
        } catch {
            throw GatewayStartupError("cannot set up TLS: \(error)")
        }
    }
}

/// What a trust reload did.
public enum TrustReloadOutcome: Sendable {
    case reloaded(TrustState)
    case unchanged(TrustState)
    case rejected([String])
}

/// The trust in force, summarised by digests so that a reload can tell whether anything
/// changed and the audit log can say what was loaded.
public struct TrustState: Sendable {
    /// A CRL's issuer and when it must be replaced.
    public struct RevocationList: Sendable {
        public let issuer: String
        public let nextUpdate: Date?
    }

    public let anchors: String
    public let revocationLists: String
    public let tlsCertificate: String
    public let signingCertificates: String
    /// The push client certificate's fingerprint, `-` without one.
    public let pushCertificate: String
    public let registry: String
    public let crls: [RevocationList]

    /// The state `keys` would give a gateway whose agreement set has `registryDigest`.
    public init(keys: GatewayKeys, registryDigest: String) {
        let store = keys.trustStore
        anchors = Self.digest(store.anchors.map(\.fingerprintSHA256) + store.bindings.agencies.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.sorted().joined(separator: ","))" } + ["operators=\(store.bindings.operators.sorted().joined(separator: ","))"])
        revocationLists = Self.digest(store.revocationLists.map { (try? $0.pem()) ?? $0.issuer })
        tlsCertificate = keys.tlsChain.first?.fingerprintSHA256 ?? "-"
        signingCertificates = Self.digest(keys.signingCertificates.map(\.fingerprintSHA256))
        pushCertificate = keys.pushChain.first?.fingerprintSHA256 ?? "-"
        registry = registryDigest
        crls = store.revocationLists.map { RevocationList(issuer: $0.issuer, nextUpdate: $0.nextUpdate) }
    }

    /// Over what the gateway verifies with; the agreement set counts only through the CA
    /// bindings its registry makes (in `anchors`), so activating agreements alone is no change.
    public var digest: String { Self.digest([anchors, revocationLists, tlsCertificate, signingCertificates, pushCertificate]) }

    var auditDetails: [String: String] {
        ["anchors_sha256": anchors, "crls_sha256": revocationLists, "tls_certificate_sha256": tlsCertificate,
         "signing_certificates_sha256": signingCertificates, "push_certificate_sha256": pushCertificate, "agreement_set": registry,
         "trust_sha256": digest]
    }

    private static func digest(_ parts: [String]) -> String {
        Hex.encode(SHA256.hash(Array(parts.sorted().joined(separator: "\n").utf8)))
    }
}
