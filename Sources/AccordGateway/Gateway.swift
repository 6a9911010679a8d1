import AccordAudit
public import AccordCrypto
import AccordMessages
import CoreMetrics
public import AccordPolicy
public import AccordStore
public import Foundation
public import Logging
import Synchronization

/// The path of one message (docs/architecture.md): receive, verify, plan, store, answer; then
/// the inbox, acknowledgements and reviews. Transport-free: the server hands it the
/// authenticated agency and the request body, and turns its receipts and `GatewayProblem`s
/// into HTTP. Every refusal is audited.
public final class Gateway: Sendable {
    /// Tunables taken from the configuration.
    public struct Options: Sendable {
        public var retention: TimeInterval = 90 * 86_400
        public var maxBytes = 1 << 20
        public var maxDisclosures = 512
        public var inboxPageSize = 100
        /// An inbox page stops growing past this many bytes of presentations (always one item at least).
        public var inboxPageBytes = 8 << 20
        public var clockSkew: TimeInterval = 60
        /// Recipients one message may name; more is refused before any agreement is consulted.
        public var maxRecipients = 32
        /// The audit log's origin, which names the checkpoint key.
        public var auditOrigin = "accord.local/audit"

        public init() {}
    }

    public let store: any AccordStorage
    public let policy: ActivePolicy
    public let keys: GatewayKeys
    public let signingKeys: AgencySigningKeys
    let verifier: SDJWTVerifier
    /// The current binding key and those kept after a rotation.
    public let bindingKeys: BindingKeys
    let options: Options
    let now: @Sendable () -> Date
    let logger: Logger
    public let metrics: GatewayMetrics
    let activations = ActivationQueue()
    let acceptanceRules: AcceptanceRules
    let planner: DeliveryPlanner
    private let currentAuditVerifierKey = Mutex<String?>(nil)
    let latestCheckpointSize = LatestCheckpointSize()

    public init(
        store: any AccordStorage, policy: ActivePolicy, keys: GatewayKeys, options: Options = Options(),
        metrics: GatewayMetrics = GatewayMetrics(), logger: Logger = Logger(label: "accord.gateway"),
        now: @escaping @Sendable () -> Date = { Date() }, certificateTime: (@Sendable () -> Date)? = nil
    ) throws(GatewayStartupError) {
        self.store = store
        self.policy = policy
        self.keys = keys
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.now = now
        signingKeys = AgencySigningKeys(trustStore: keys.trustStore, certificates: keys.signingCertificates, clock: certificateTime ?? now)
        var configuration = VerifierConfiguration()
        configuration.maxBytes = options.maxBytes
        configuration.maxDisclosures = options.maxDisclosures
        configuration.clockSkew = options.clockSkew
        verifier = SDJWTVerifier(resolver: signingKeys, configuration: configuration)
        bindingKeys = try BindingKeys(current: keys.bindingKey, previous: keys.previousBindingKeys)
        acceptanceRules = .standard(maxRecipients: options.maxRecipients)
        planner = DeliveryPlanner(subjectKey: keys.subjectKey, retention: options.retention, makeDeliveryID: Identifiers.deliveryID)
    }

    /// The public key agencies must name in `cnf.jwk`.
    public var bindingKey: JWK { bindingKeys.current }

    /// The C2SP verifier key of the audit log's checkpoints (`<origin>+<key id>+<key>`), the
    /// one signing them now.
    public var auditVerifierKey: String {
        currentAuditVerifierKey.withLock { current in
            if let current { return current }
            return (try? NoteVerifier(name: options.auditOrigin, publicKey: keys.auditKey.publicKey))?.verifierKey ?? ""
        }
    }

    /// After an audit key rotation: the verifier key `GET /v1/keys` names from now on.
    public func useAuditVerifierKey(_ verifierKey: String) {
        currentAuditVerifierKey.withLock { $0 = verifierKey }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}
