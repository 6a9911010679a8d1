import AccordCore
import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import Foundation

/// Stage 3 of a submission (docs/architecture.md): from an accepted message and the snapshot
/// it was received under to the deliveries, redactions, audit records and receipt, or a
/// refusal. A pure function of its inputs: it reads no clock, store or shared state (delivery
/// ids come from `makeDeliveryID`), so it is tested alone.
struct DeliveryPlanner: Sendable {
    let subjectKey: SubjectKey
    let retention: TimeInterval
    let makeDeliveryID: @Sendable () -> DeliveryID

    func plan(_ candidate: CandidateMessage) throws(Refusal) -> DeliveryPlan {
        let received = candidate.received
        let message = candidate.message
        let routing = candidate.routing
        let schema = candidate.schema
        let decided = try decide(candidate)

        var redactions: [RedactedSDJWT] = []
        for (recipient, delivery) in decided {
            let permitted = Set(delivery.disclosed)
            let redacted = message.redact(permitting: permitted)
            // Each instance of a claim in clear goes with the disclosure enclosing it, so it is
            // judged by that disclosure, not by another instance of the same path.
            let clearCaseReference = routing.caseReference != nil && !permitted.contains(SchemaPaths.caseReference)
            if let leaking = clearCaseReference ? SchemaPaths.caseReference : redacted.clearPaths.first(where: { !permitted.contains($0) }) {
                throw Refusal(problem: .forbidden("clear-claim-not-permitted",
                    "claim '\(SchemaPaths.nameable(leaking, in: schema))' is in clear, so it cannot be withheld, and agreement '\(delivery.agreementID)' does not permit it to '\(recipient)'; "
                        + (clearCaseReference ? "leave it out of 'accord'" : "make it selectively disclosable")),
                    stage: .policy, clear: candidate.message.clear, messageID: candidate.messageID, yieldsToEarlierAcceptance: true)
            }
            redactions.append(redacted)
        }

        let identifiers = identifierHashes(message, schema: schema)
        let sender = received.agency
        let time = received.receivedAt
        var deliveries: [Submission.Delivery] = []
        var records: [AuditRecord] = []
        var lines: [DeliveryPlan.Line] = []
        for ((recipient, delivery), redacted) in zip(decided, redactions) {
            // Names of claims the schema does not know may themselves be data: they are counted, never shown.
            let (withheld, unknown) = SchemaPaths.partition(redacted.withheldPaths, in: schema)
            let deliveryID = makeDeliveryID()
            // Only what this recipient is given: a search by subject answers who received it.
            let subjects = identifiers.hashes(reaching: Set(redacted.disclosedPaths).union(redacted.clearPaths))
            deliveries.append(Submission.Delivery(
                id: deliveryID, recipient: recipient, state: delivery.held ? .held : .pending,
                envelope: DeliveryEnvelope(
                    redacted: redacted.serialization, sender: sender, type: routing.type, purpose: routing.purpose,
                    agreementID: delivery.agreementID, agreementDigest: delivery.agreementDigest, withheld: withheld,
                    receivedMilliseconds: AuditTime.milliseconds(time), handling: delivery.handling.rawValue,
                    subjects: subjects, binding: candidate.binding)))
            let reference = AgreementReference(id: delivery.agreementID, versionDigest: delivery.agreementDigest)
            lines.append(DeliveryPlan.Line(recipient: SubmissionReceipt.Recipient(
                recipient: recipient, deliveryID: deliveryID, status: delivery.held ? "held" : "delivered",
                agreement: delivery.agreementID, agreementDigest: delivery.agreementDigest, withheld: withheld,
                auditLeaf: nil), recordIndex: records.count))
            var details = ["type": routing.type, "purpose": routing.purpose, "classification": routing.classification]
            if unknown > 0 { details["unknown_claims_withheld"] = String(unknown) }
            records.append(AuditRecord(
                event: .messageAccepted, time: time, actor: sender.rawValue, messageID: candidate.messageID, deliveryID: deliveryID,
                from: sender, to: [recipient], agreement: reference, disclosed: redacted.disclosedPaths,
                withheld: withheld, submissionDigest: received.digest, subjects: subjects, details: details))
            if delivery.held {
                // What the officer is asked to release: the same disclosure the recipient would get.
                records.append(AuditRecord(
                    event: .messageHeld, time: time, actor: "gateway", messageID: candidate.messageID, deliveryID: deliveryID,
                    from: sender, to: [recipient], agreement: reference, disclosed: redacted.disclosedPaths, withheld: withheld,
                    reason: "review-required", subjects: subjects, details: Self.holdDetails(delivery)))
            }
        }
        let submission = Submission(
            message: .init(id: candidate.messageID, sender: sender, sdJWT: received.text, submissionDigest: received.digest,
                           receivedAt: time, retainUntil: time.addingTimeInterval(retention)),
            deliveries: deliveries, audit: records)
        return DeliveryPlan(submission: submission, lines: lines)
    }

    /// Why the delivery is held, for the `message.held` leaf: condition codes and the claim
    /// paths that met them, never values (docs/audit.md).
    static func holdDetails(_ delivery: AccordPolicy.Delivery) -> [String: String] {
        var codes: [String] = []
        for reason in delivery.holdReasons where !codes.contains(reason.code) { codes.append(reason.code) }
        var details = ["hold": codes.joined(separator: ","),
                       "approvals_required": String(delivery.approvalsRequired)]
        let paths = delivery.holdReasons.compactMap { reason -> String? in
            if case .taggedClaim(_, let path) = reason { return path }
            return nil
        }
        if !paths.isEmpty { details["hold_paths"] = paths.joined(separator: ",") }
        for reason in delivery.holdReasons {
            if case .overseas(let jurisdiction) = reason { details["hold_jurisdiction"] = jurisdiction }
            if case .classification(let level) = reason { details["hold_classification"] = level.rawValue }
        }
        return details
    }

    /// The agreement covering each recipient, all or none: a message goes nowhere unless an
    /// agreement in force covers every recipient.
    private func decide(_ candidate: CandidateMessage) throws(Refusal) -> [(recipient: AgencyID, delivery: AccordPolicy.Delivery)] {
        let routing = candidate.routing
        // `accord.case_ref` is the sender's own text and reaches every recipient in clear, so the
        // agreement governs it like any claim in clear: a schema declares it, a flow discloses it.
        var claimPaths = candidate.message.pathStrings
        if routing.caseReference != nil { claimPaths.append(SchemaPaths.caseReference) }
        let day = CalendarDate(candidate.received.receivedAt)
        var decided: [(recipient: AgencyID, delivery: AccordPolicy.Delivery)] = []
        var denials: [(recipient: AgencyID, denial: Denial)] = []
        for recipient in routing.recipients {
            switch candidate.received.snapshot.policy.evaluate(routing, claimPaths: claimPaths, for: recipient, on: day) {
            case .deliver(let delivery): decided.append((recipient, delivery))
            case .deny(let denial): denials.append((recipient, denial))
            }
        }
        if let first = denials.first {
            let detail = denials.map { "to '\($0.recipient)': \($0.denial.explanation)" }.joined(separator: "; ")
            throw Refusal(problem: .forbidden(first.denial.code.rawValue, detail), stage: .policy, clear: candidate.message.clear,
                          messageID: candidate.messageID, denials: denials,
                          offered: SchemaPaths.partition(claimPaths, in: candidate.schema).known.sorted(),
                          yieldsToEarlierAcceptance: true)
        }
        return decided
    }

    /// The keyed hashes of the message's identifier claims (schema tag `identifier`), each with
    /// the claim path it was found at.
    private func identifierHashes(_ message: VerifiedMessage, schema: MessageSchema?) -> IdentifierHashes {
        guard let schema else { return IdentifierHashes(byPath: []) }
        var found: [(path: String, hash: SubjectHash)] = []
        for (path, value) in message.leafValues() where schema.claim(at: path)?.tags.contains(.identifier) == true {
            found.append((path, subjectKey.hash(type: SubjectType.name(forPath: path), value: value)))
        }
        return IdentifierHashes(byPath: found)
    }
}
