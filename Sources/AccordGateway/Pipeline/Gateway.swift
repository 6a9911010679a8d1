import AccordAudit
public import AccordCrypto
import AccordMessages
import CoreMetrics
public import AccordPolicy
public import AccordStore
public import Foundation
public import Logging
import Synchronization

/// The path of one message (DESIGN.md): verify, decide, redact, store, deliver, acknowledge.
/// Transport-free: the server hands it the authenticated agency and the request body, and
/// turns its receipts and `GatewayProblem`s into HTTP. Every refusal is audited.
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
    private let currentAuditVerifierKey = Mutex<String?>(nil)

    public init(
        store: any AccordStorage, policy: ActivePolicy, keys: GatewayKeys, options: Options = Options(),
        metrics: GatewayMetrics = GatewayMetrics(), logger: Logger = Logger(label: "accord.gateway"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(GatewayStartupError) {
        self.store = store
        self.policy = policy
        self.keys = keys
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.now = now
        signingKeys = AgencySigningKeys(trustStore: keys.trustStore, certificates: keys.signingCertificates, clock: now)
        var configuration = VerifierConfiguration()
        configuration.maxBytes = options.maxBytes
        configuration.maxDisclosures = options.maxDisclosures
        configuration.clockSkew = options.clockSkew
        verifier = SDJWTVerifier(resolver: signingKeys, configuration: configuration)
        bindingKeys = try BindingKeys(current: keys.bindingKey, previous: keys.previousBindingKeys)
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

    // MARK: - Submit

    /// Accepts `text` (an SD-JWT as issued) from the agency authenticated by TLS, or refuses it
    /// with a problem. All recipients or none: a message goes nowhere unless an agreement in
    /// force covers every recipient.
    public func submit(_ text: String, from agency: String) async throws(GatewayProblem) -> SubmissionReceipt {
        let started = ContinuousClock.now
        defer { metrics.submitDuration.recordNanoseconds(Self.nanoseconds(ContinuousClock.now - started)) }
        let receivedAt = now()
        let digest = Identifiers.submissionDigest(text)
        do { try requireRegistered(agency) } catch {
            throw await refuse(error, agency: agency, digest: digest, stage: "identity")
        }
        let message: VerifiedMessage
        do {
            message = try verifier.verify(text, now: receivedAt)
        } catch {
            throw await refuse(Self.problem(for: error), agency: agency, digest: digest, stage: "verify")
        }
        let routing = message.routing
        let messageID = Identifiers.messageID(issuer: routing.issuer, jti: routing.messageID)
        guard routing.issuer == agency else {
            throw await refuse(.forbidden("identity-mismatch",
                "the message's 'iss' is '\(routing.issuer)' but the TLS client certificate is agency '\(agency)'; an agency submits only its own messages"),
                agency: agency, digest: digest, stage: "identity", routing: routing)
        }
        guard let holder = message.holderKey, let binding = bindingKeys.thumbprint(of: holder) else {
            throw await refuse(.badRequest("holder-key-mismatch",
                "the message's 'cnf.jwk' must be the gateway's binding key (GET /v1/keys)"),
                agency: agency, digest: digest, stage: "verify", routing: routing)
        }
        guard routing.recipients.count <= options.maxRecipients else {
            // Not recorded recipient by recipient: the names are the sender's and unbounded.
            throw await refuse(.badRequest("too-many-recipients",
                "'accord.to' names \(routing.recipients.count) recipients; at most \(options.maxRecipients) are accepted"),
                agency: agency, digest: digest, stage: "verify")
        }
        let schema = policy.current.policy.set.schemas[routing.type]
        if let schema, let claim = ControlledValues.firstViolation(in: message.claims, schema: schema) {
            if let existing = try await existingReceipt(messageID: messageID, digest: digest, agency: agency, routing: routing) {
                return existing
            }
            // The path and the vocabulary are the schema's; the value is never repeated.
            throw await refuse(.badRequest("value-not-allowed",
                "claim '\(claim.path)' takes only the values its schema lists: \(claim.values.joined(separator: ", "))"),
                agency: agency, digest: digest, stage: "schema", routing: routing, messageID: messageID)
        }
        // A resubmission is found by the store's duplicate check when it is written, not by a
        // read before every first submission; refusals below look it up first, so a message
        // accepted earlier is answered with its receipt even if it would not be accepted now.

        // `accord.case_ref` is the sender's own text and reaches every recipient in clear, so the
        // agreement governs it like any claim in clear: a schema declares it, a flow discloses it.
        var claimPaths = message.pathStrings
        if routing.caseReference != nil { claimPaths.append(SchemaPaths.caseReference) }
        let messageRouting = MessageRouting(
            issuer: routing.issuer, type: routing.type, to: routing.recipients, purpose: routing.purpose,
            classification: routing.classification, agreement: routing.agreement, caseRef: routing.caseReference,
            claimPaths: claimPaths)
        var decided: [(recipient: String, delivery: AccordPolicy.Delivery)] = []
        var denials: [(recipient: String, denial: Denial)] = []
        for recipient in routing.recipients {
            switch policy.evaluate(messageRouting, for: recipient, at: receivedAt) {
            case .deliver(let delivery): decided.append((recipient, delivery))
            case .deny(let denial): denials.append((recipient, denial))
            }
        }
        if let first = denials.first {
            if let existing = try await existingReceipt(messageID: messageID, digest: digest, agency: agency, routing: routing) {
                return existing
            }
            let detail = denials.map { "to '\($0.recipient)': \($0.denial.explanation)" }.joined(separator: "; ")
            throw await refuse(.forbidden(first.denial.code.rawValue, detail), agency: agency, digest: digest, stage: "policy",
                               routing: routing, messageID: messageID, denials: denials)
        }
        var redactions: [String: RedactedSDJWT] = [:]
        for (recipient, delivery) in decided {
            let permitted = Set(delivery.disclosed)
            let redacted = message.redact(permitting: permitted)
            redactions[recipient] = redacted
            // Each instance of a claim in clear goes with the disclosure enclosing it, so it is
            // judged by that disclosure, not by another instance of the same path.
            let clearCaseReference = routing.caseReference != nil && !permitted.contains(SchemaPaths.caseReference)
            if let leaking = clearCaseReference ? SchemaPaths.caseReference : redacted.clearPaths.first(where: { !permitted.contains($0) }) {
                if let existing = try await existingReceipt(messageID: messageID, digest: digest, agency: agency, routing: routing) {
                    return existing
                }
                throw await refuse(.forbidden("clear-claim-not-permitted",
                    "claim '\(SchemaPaths.nameable(leaking, in: schema))' is in clear, so it cannot be withheld, and agreement '\(delivery.agreementID)' does not permit it to '\(recipient)'; "
                        + (clearCaseReference ? "leave it out of 'accord'" : "make it selectively disclosable")),
                    agency: agency, digest: digest, stage: "policy", routing: routing, messageID: messageID)
            }
        }

        let identifiers = identifierValues(message, type: routing.type)
        var deliveries: [Submission.Delivery] = []
        var records: [AuditRecord] = []
        var recipients: [(SubmissionReceipt.Recipient, recordIndex: Int)] = []
        for (recipient, delivery) in decided {
            let redacted = redactions[recipient] ?? message.redact(permitting: Set(delivery.disclosed))
            // Names of claims the schema does not know may themselves be data: they are counted, never shown.
            let (withheld, unknown) = SchemaPaths.partition(redacted.withheldPaths, in: schema)
            let deliveryID = Identifiers.deliveryID()
            // Only what this recipient is given: a search by subject answers who received it.
            let subjects = identifiers.hashes(reaching: Set(redacted.disclosedPaths).union(redacted.clearPaths))
            var pending = PendingDelivery(
                redacted: redacted.serialization, from: agency, type: routing.type, purpose: routing.purpose,
                agreement: delivery.agreementID, agreementDigest: delivery.agreementDigest, withheld: withheld,
                receivedMilliseconds: AuditTime.milliseconds(receivedAt), handling: delivery.handling.rawValue)
            pending.subjects = subjects
            pending.binding = binding
            deliveries.append(Submission.Delivery(id: deliveryID, recipient: recipient, state: delivery.held ? .held : .pending,
                                                  presentation: pending.encoded()))
            let reference = AgreementReference(id: delivery.agreementID, versionDigest: delivery.agreementDigest)
            recipients.append((SubmissionReceipt.Recipient(
                recipient: recipient, deliveryID: deliveryID, status: delivery.held ? "held" : "delivered",
                agreement: delivery.agreementID, agreementDigest: delivery.agreementDigest, withheld: withheld,
                auditLeaf: nil), records.count))
            records.append(AuditRecord(
                event: .messageAccepted, time: receivedAt, actor: agency, messageID: messageID, deliveryID: deliveryID,
                from: agency, to: [recipient], agreement: reference, disclosed: redacted.disclosedPaths,
                withheld: withheld, submissionDigest: digest, subjects: subjects,
                details: ["type": routing.type, "purpose": routing.purpose, "classification": routing.classification]
                    .merging(unknown > 0 ? ["unknown_claims_withheld": String(unknown)] : [:]) { a, _ in a }))
            if delivery.held {
                // What the officer is asked to release: the same disclosure the recipient would get.
                records.append(AuditRecord(
                    event: .messageHeld, time: receivedAt, actor: "gateway", messageID: messageID, deliveryID: deliveryID,
                    from: agency, to: [recipient], agreement: reference, disclosed: redacted.disclosedPaths, withheld: withheld,
                    reason: "review-required", subjects: subjects))
            }
        }
        let submission = Submission(
            message: .init(id: messageID, sender: agency, sdJWT: text, receivedAt: receivedAt,
                           retainUntil: receivedAt.addingTimeInterval(options.retention)),
            deliveries: deliveries, audit: records)
        let leaves: [UInt64]
        do {
            leaves = try await store.accept(submission)
        } catch where error.code == .duplicateMessage {
            // Accepted before (a resubmission), or by a concurrent submission of the same jti:
            // the stored receipt answers, or the jti was reused for different content.
            if let existing = try await existingReceipt(messageID: messageID, digest: digest, agency: agency, routing: routing) {
                return existing
            }
            throw .unavailable("the message was accepted concurrently and cannot be read back yet; retry")
        } catch {
            logger.error("storing an accepted message failed", metadata: ["message_id": "\(messageID)", "error": "\(error.code.rawValue)"])
            throw .unavailable("the gateway could not store the message (\(error.code.rawValue)); nothing was accepted, retry")
        }
        metrics.accepted.increment()
        logger.info("message accepted", metadata: [
            "message_id": "\(messageID)", "from": "\(agency)", "to": "\(routing.recipients.joined(separator: ","))", "type": "\(routing.type)",
        ])
        return SubmissionReceipt(messageID: messageID, jti: routing.messageID, replayed: false, recipients: recipients.map { recipient, index in
            SubmissionReceipt.Recipient(
                recipient: recipient.recipient, deliveryID: recipient.deliveryID, status: recipient.status, agreement: recipient.agreement,
                agreementDigest: recipient.agreementDigest, withheld: recipient.withheld, auditLeaf: index < leaves.count ? leaves[index] : nil)
        })
    }

    /// The original receipt when this jti was accepted before with the same content; a refusal
    /// when it was accepted with different content; nil when it is new.
    private func existingReceipt(messageID: String, digest: String, agency: String, routing: RoutingClaims) async throws(GatewayProblem) -> SubmissionReceipt? {
        let stored: StoredMessage?
        let deliveries: [StoredDelivery]
        do {
            stored = try await store.message(id: messageID)
            deliveries = stored == nil ? [] : try await store.deliveries(messageID: messageID)
        } catch {
            throw .unavailable("the gateway could not read its store (\(error.code.rawValue))")
        }
        guard let stored else { return nil }
        guard stored.submissionDigest == digest else {
            throw await refuse(GatewayProblem(code: "jti-reused", status: 409, title: "Message id already used",
                detail: "jti '\(routing.messageID)' was already accepted from '\(agency)' with different content; a new message needs a new jti",
                messageID: messageID), agency: agency, digest: digest, stage: "idempotency", routing: routing, messageID: messageID)
        }
        let leaves = (try? await store.query(AuditQuery(events: [.messageAccepted], messageID: messageID))) ?? []
        return SubmissionReceipt(messageID: messageID, jti: routing.messageID, replayed: true, recipients: deliveries.map { delivery in
            let pending = PendingDelivery.decode(delivery.presentation)
            let leaf = leaves.first { $0.record.deliveryID == delivery.id }
            return SubmissionReceipt.Recipient(
                recipient: delivery.recipient, deliveryID: delivery.id, status: Self.receiptStatus(delivery.state),
                agreement: pending?.agreement ?? leaf?.record.agreement?.id ?? "",
                agreementDigest: pending?.agreementDigest ?? leaf?.record.agreement?.versionDigest ?? "",
                withheld: pending?.withheld ?? leaf?.record.withheld ?? [], auditLeaf: leaf?.index)
        })
    }

    /// What a receipt says of a delivery: `delivered` while it is (or was) available to the
    /// recipient, otherwise its state.
    static func receiptStatus(_ state: DeliveryState) -> String {
        switch state {
        case .pending, .delivered, .acknowledged: "delivered"
        case .held, .rejected, .expired, .waiting: state.rawValue
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    /// Keyed hashes of every identifier-tagged claim present, typed by the claim's name.
    /// The keyed hashes of the message's identifier claims (schema tag `identifier`), each with
    /// the claim path it was found at.
    func identifierValues(_ message: VerifiedMessage, type: String) -> IdentifierHashes {
        guard let schema = policy.current.policy.set.schemas[type] else { return IdentifierHashes(byPath: []) }
        var found: [(path: String, hash: SubjectHash)] = []
        for (path, value) in message.leafValues() where schema.claim(at: path)?.tags.contains(.identifier) == true {
            found.append((path, keys.subjectKey.hash(type: SubjectType.name(forPath: path), value: value)))
        }
        return IdentifierHashes(byPath: found)
    }
}
