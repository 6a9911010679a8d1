public import AccordAudit
public import AccordStore
public import AccordTLS
public import Foundation
public import Hummingbird

/// Everything the console reads and the few things it may change, handed in by the gateway
/// when it mounts the console. The console holds no state of its own beyond this; what it
/// keeps for its lifetime (verification runs, the proof index) is made here, so copies share it.
public struct ConsoleEnvironment: Sendable {
    /// The gateway's store: audit log, messages and deliveries.
    public var store: any AccordStorage {
        didSet { proofIndex = ProofIndex(store: store) }
    }
    /// The gateway's secret for subject hashes; an officer's typed identifier is hashed with it.
    public var subjectKey: SubjectKey
    /// Verifies the log's signed checkpoints; its `name` is the log's origin.
    public var auditVerifier: NoteVerifier
    /// `Agreements/`: the proposed set an administrator reviews and activates.
    public var agreementsDirectory: URL
    /// `Certificates/`: scanned for certificates and their expiry.
    public var certificatesDirectory: URL
    /// What only the gateway can do: the active set, activation, status changes.
    public var agreements: any AgreementControl
    /// Releases or rejects held deliveries, through the gateway.
    public var review: any HeldReview
    /// The gateway's trust (CRLs, reload); nil where the console is mounted without a gateway.
    public var trust: (any TrustControl)?
    /// Keys the CSRF tokens (HMAC of the operator identity); at least 32 random bytes.
    public var csrfSecret: [UInt8]
    /// The clock; injected so tests control it.
    public var now: @Sendable () -> Date
    /// Who sent a request. Defaults to the verified TLS client certificate (`TLSPeer.current`).
    public var identify: @Sendable (Request) -> TLSPeer.Identity?
    /// Certificates that expire within this interval are flagged.
    public var certificateWarning: TimeInterval
    /// Local accounts (name and password, session cookie) beside certificates; nil where
    /// only certificates are configured. The console's TLS must then make the client
    /// certificate optional.
    public var accounts: LocalAccounts?
    /// Verifications of the log started from the console; a service to run beside the router.
    public let integrityRuns: IntegrityRuns
    /// Inclusion and consistency proofs over `store` for searches and exports, built on first
    /// use and kept: one per console, so later searches read only new leaf hashes.
    public private(set) var proofIndex: ProofIndex

    public init(
        store: any AccordStorage, subjectKey: SubjectKey, auditVerifier: NoteVerifier,
        agreementsDirectory: URL, certificatesDirectory: URL, agreements: any AgreementControl,
        review: any HeldReview, csrfSecret: [UInt8], now: @escaping @Sendable () -> Date = { Date() },
        identify: @escaping @Sendable (Request) -> TLSPeer.Identity? = { _ in TLSPeer.current?.identity },
        certificateWarning: TimeInterval = 30 * 86_400, accounts: LocalAccounts? = nil, trust: (any TrustControl)? = nil
    ) {
        self.store = store
        self.subjectKey = subjectKey
        self.auditVerifier = auditVerifier
        self.agreementsDirectory = agreementsDirectory
        self.certificatesDirectory = certificatesDirectory
        self.agreements = agreements
        self.review = review
        self.csrfSecret = csrfSecret
        self.now = now
        self.identify = identify
        self.certificateWarning = certificateWarning
        self.accounts = accounts
        self.trust = trust
        self.integrityRuns = IntegrityRuns(now: now)
        self.proofIndex = ProofIndex(store: store)
    }

    /// The log's origin line, as signed into every checkpoint.
    public var origin: String { auditVerifier.name }
}
