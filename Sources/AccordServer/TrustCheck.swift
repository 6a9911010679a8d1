public import AccordGateway
public import AccordPolicy
import AccordCrypto
import AccordTLS

/// The trust a gateway would load from its files for an agreement set, checked as a reload
/// checks it: the keys (with the partner gateways' CAs), the listeners' TLS, and the push
/// endpoints' TLS. The gateway at start and at each reload, and `accord certificates reload`
/// before it signals one, all go through here, so that they agree on what is valid and on
/// the digest the audit log records (docs/operations.md, "Replacing certificates and CRLs").
public enum TrustCheck {
    /// What the check found.
    public struct Outcome: Sendable {
        /// `TrustState.digest`: what `trust.reloaded` records as `trust_sha256` once the gateway uses it.
        public let digest: String
        public let anchors: Int
        public let revocationLists: Int
        /// One line per agency whose endpoint cannot be pushed to with these files.
        public let pushProblems: [String]
    }

    /// The keys `set` makes the gateway load from `configuration`'s certificates directory.
    static func keys(_ configuration: GatewayConfiguration, set: AgreementSet) throws(GatewayStartupError) -> GatewayKeys {
        try GatewayKeys.load(directory: configuration.certificatesDirectory, agencies: set.agencies.values,
                             operatorCA: configuration.operatorCA, gateways: Array(set.gateways.values),
                             acceptsLapsedCRLs: configuration.crlExpiry == .useLast)
    }

    /// How the console asks for client certificates, nil without a console listener.
    static func consoleCertificates(_ configuration: GatewayConfiguration) -> TLSConfiguration.ClientCertificates? {
        configuration.consoleListen == nil ? nil : configuration.consoleAccounts == nil ? .required : .optional
    }

    /// Loads everything and builds every TLS context as `accord serve` would with `set` in
    /// force; throws what a reload would reject.
    public static func check(_ configuration: GatewayConfiguration, set: AgreementSet) throws(GatewayStartupError) -> Outcome {
        let keys = try keys(configuration, set: set)
        _ = try TrustReloader.contexts(keys, configuration: configuration, console: consoleCertificates(configuration))
        var problems: [String] = []
        for target in PushTarget.all(in: set).sorted(by: { $0.key < $1.key }).map(\.value) {
            do throws(PushEndpoint.Problem) {
                _ = try target.endpoint(certificatesDirectory: configuration.certificatesDirectory, allowTLS12: configuration.allowTLS12,
                                        acceptsLapsedCRLs: configuration.crlExpiry == .useLast)
            } catch {
                problems.append("\(error)")
            }
        }
        return Outcome(digest: TrustState(keys: keys, registryDigest: "").digest, anchors: keys.trustStore.anchors.count,
                       revocationLists: keys.trustStore.revocationLists.count, pushProblems: problems)
    }
}
