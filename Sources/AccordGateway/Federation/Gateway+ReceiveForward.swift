import AccordAudit
public import AccordCore
import AccordMessages
public import AccordCrypto
import AccordStore
import Foundation

/// The receiving gateway's answer to a forward it accepted (docs/federation.md, "Deliver and
/// answer"): where the delivery now is in our log, and the same signed by our binding key, so
/// the sending gateway can keep proof of what we said.
public struct PartnerReceipt: Sendable, Equatable, Codable {
    /// The sending gateway's delivery id, as it arrived.
    public let deliveryID: DeliveryID
    /// Our delivery id for the recipient's inbox.
    public let receivedAs: DeliveryID
    /// Our `message.received-from-partner` leaf.
    public let auditLeaf: UInt64
    /// The size of our first signed checkpoint covering `auditLeaf` (0 when none could be had).
    public let checkpointSize: UInt64
    /// That checkpoint's RFC 6962 root hash, base64 as in the checkpoint note: what the sending
    /// gateway's log records, to prove our leaf's inclusion against later.
    public let checkpointRoot: String?
    /// That checkpoint as we signed it (a C2SP signed note), for the sending side to keep.
    public let checkpoint: String?
    /// A compact JWS over the fields above, signed with our binding key (`GET /v1/keys`).
    public let receipt: String

    enum CodingKeys: String, CodingKey {
        case receipt
        case deliveryID = "delivery_id"
        case receivedAs = "received_as"
        case auditLeaf = "audit_leaf"
        case checkpointSize = "checkpoint_size"
        case checkpointRoot = "checkpoint_root"
        case checkpoint
    }
}

extension Gateway {
    /// Takes one inbox item a partner gateway pushed (the JSON `GET /v1/inbox` hands out),
    /// decides it with `checkForward` and, if accepted, stores it for our agency exactly as it
    /// arrived: it is never re-bound, since the partner's key-binding JWT is what proves who
    /// sent it. A forward retried after a lost answer is found by its message id and answered
    /// with the first receipt, so it is delivered once.
    public func receiveForward(_ body: [UInt8], from partner: String, pinnedKey: PublicKey) async throws(GatewayProblem) -> PartnerReceipt {
        let item: JSONValue
        do { item = try JSONParser.parse(body) } catch {
            throw Self.badForward("the body is not JSON: \(error.reason)")
        }
        guard let deliveryText = item["delivery_id"]?.stringValue, !deliveryText.isEmpty else {
            throw Self.badForward("the body lacks 'delivery_id' (one inbox item, as GET /v1/inbox hands it out)")
        }
        guard let presentation = item["presentation"]?.stringValue else {
            throw Self.badForward("the body lacks 'presentation' (one inbox item, as GET /v1/inbox hands it out)")
        }
        let deliveryID = DeliveryID(deliveryText)
        let binding = try Self.keyBindingClaims(presentation)
        let senderCheckpoint = try Self.senderCheckpoint(item["checkpoint"], covering: binding.auditLeaf)
        switch checkForward(presentation, deliveryID: deliveryID, recipient: AgencyID(binding.audience), from: partner, pinnedKey: pinnedKey) {
        case .refuse(let code, let detail):
            throw GatewayProblem(code: code, status: code == "presentation-invalid" ? 400 : 422,
                                 title: "The forward is refused", detail: detail)
        case .accept(let recipient, let agreement, let agreementDigest, _, _):
            return try await storeForward(presentation, deliveryID: deliveryID, binding: binding, senderCheckpoint: senderCheckpoint,
                                          recipient: recipient, agreement: agreement, agreementDigest: agreementDigest, from: partner)
        }
    }

    private func storeForward(_ presentation: String, deliveryID partnerDelivery: DeliveryID, binding: ForwardBinding, senderCheckpoint: Checkpoint?,
                              recipient: AgencyID, agreement: AgreementID, agreementDigest: String, from partner: String) async throws(GatewayProblem) -> PartnerReceipt {
        // checkForward verified the presentation, so its issuer JWT parses.
        let clear = (try? verifier.verify(presentation, now: now(), keyBinding: KeyBindingExpectation(audience: recipient, nonce: partnerDelivery))).map(\.clear)
        guard let clear else { throw Self.badForward("the presentation no longer verifies") }
        let routing = clear.routing
        let messageID = Identifiers.messageID(issuer: routing.issuer, jti: clear.jti)
        let time = now()
        let ourDelivery = Identifiers.deliveryID()
        var details = [
            "partner": partner, "partner_delivery_id": partnerDelivery.rawValue, "partner_leaf": String(binding.auditLeaf),
            "partner_agreement": binding.agreement, "partner_agreement_digest": binding.agreementDigest,
            "presentation_digest": Identifiers.submissionDigest(presentation), "type": routing.type, "purpose": routing.purpose,
        ]
        if let senderCheckpoint {
            details["partner_checkpoint_size"] = String(senderCheckpoint.size)
            details["partner_checkpoint_root"] = Data(senderCheckpoint.rootHash).base64EncodedString()
        }
        let audit = AuditRecord(
            event: .messageReceivedFromPartner, time: time, actor: partner, messageID: messageID, deliveryID: ourDelivery,
            from: routing.issuer, to: [recipient], agreement: AgreementReference(id: agreement, versionDigest: agreementDigest),
            details: details)
        let envelope = DeliveryEnvelope(
            redacted: presentation, sender: routing.issuer, type: routing.type, purpose: routing.purpose, agreementID: agreement,
            agreementDigest: agreementDigest, withheld: [], receivedMilliseconds: AuditTime.milliseconds(time))
        let submission = Submission(
            message: Submission.Message(id: messageID, sender: routing.issuer, sdJWT: presentation,
                                        submissionDigest: Identifiers.submissionDigest(presentation), receivedAt: time,
                                        retainUntil: time.addingTimeInterval(options.retention)),
            deliveries: [Submission.Delivery(id: ourDelivery, recipient: recipient, envelope: envelope)], audit: [audit])
        let leaf: UInt64
        let receivedAs: DeliveryID
        do {
            guard let first = try await store.accept(submission).first else { throw GatewayProblem.unavailable("no audit leaf was written; retry") }
            leaf = first
            receivedAs = ourDelivery
        } catch let problem as GatewayProblem {
            throw problem
        } catch where (error as? StoreError)?.code == .duplicateMessage {
            (leaf, receivedAs) = try await earlierReceipt(messageID: messageID)
        } catch {
            throw .unavailable("the gateway could not store the forward; retry")
        }
        return try signedReceipt(partnerDelivery: partnerDelivery, receivedAs: receivedAs, leaf: leaf,
                                 checkpoint: await coveringCheckpoint(of: leaf))
    }

    private func earlierReceipt(messageID: MessageID) async throws(GatewayProblem) -> (UInt64, DeliveryID) {
        do {
            let records = try await store.query(AuditQuery(events: [.messageReceivedFromPartner], messageID: messageID))
            guard let first = records.first, let delivery = first.record.deliveryID else {
                throw GatewayProblem(code: "duplicate-message", status: 409, title: "Already received",
                                     detail: "message '\(messageID)' is already known here, not as a partner's forward")
            }
            return (first.index, delivery)
        } catch let problem as GatewayProblem {
            throw problem
        } catch {
            throw .unavailable("the gateway could not read back an earlier forward; retry")
        }
    }

    private func signedReceipt(partnerDelivery: DeliveryID, receivedAs: DeliveryID, leaf: UInt64, checkpoint: StoredCheckpoint?) throws(GatewayProblem) -> PartnerReceipt {
        struct Header: Encodable { let alg: String; let typ: String }
        struct Payload: Encodable {
            let delivery_id: DeliveryID, received_as: DeliveryID, audit_leaf: UInt64, checkpoint_size: UInt64, checkpoint_root: String?, iat: Int
        }
        let key = keys.bindingKey
        let root = checkpoint.map { Data($0.rootHash).base64EncodedString() }
        do {
            let header = try JSONValueEncoder().canonicalBytes(Header(alg: key.algorithm.jwsName, typ: "accord-receipt+jwt"))
            let payload = try JSONValueEncoder().canonicalBytes(Payload(
                delivery_id: partnerDelivery, received_as: receivedAs, audit_leaf: leaf, checkpoint_size: checkpoint?.size ?? 0,
                checkpoint_root: root, iat: Int(now().timeIntervalSince1970)))
            let jws = try CompactJWS.sign(header: header, payload: payload, signer: JWSSigner(key: key))
            return PartnerReceipt(deliveryID: partnerDelivery, receivedAs: receivedAs, auditLeaf: leaf, checkpointSize: checkpoint?.size ?? 0,
                                  checkpointRoot: root, checkpoint: checkpoint?.note, receipt: jws)
        } catch {
            throw .unavailable("the gateway could not sign the receipt; retry")
        }
    }

    /// What the sending gateway's key-binding JWT says, read before it is verified only to
    /// learn the recipient it names; `checkForward` then verifies it against that recipient.
    struct ForwardBinding {
        let audience: String
        let auditLeaf: Int
        let agreement: String
        let agreementDigest: String
    }

    static func keyBindingClaims(_ presentation: String) throws(GatewayProblem) -> ForwardBinding {
        guard let tilde = presentation.lastIndex(of: "~"), presentation.index(after: tilde) < presentation.endIndex else {
            throw badForward("the presentation carries no key-binding JWT after its last '~'")
        }
        let claims: JSONValue
        do {
            let jws = try CompactJWS(parsing: presentation[presentation.index(after: tilde)...])
            claims = try JSONParser.parse(jws.payload)
        } catch {
            throw badForward("the key-binding JWT does not parse")
        }
        guard let audience = claims["aud"]?.stringValue, let accord = claims["accord"],
              let leaf = accord["audit_leaf"]?.integerValue, let agreement = accord["agreement"]?.stringValue,
              let digest = accord["agreement_digest"]?.stringValue else {
            throw badForward("the key-binding JWT lacks 'aud' or the 'accord' claim naming the agreement, its digest and the audit leaf")
        }
        return ForwardBinding(audience: audience, auditLeaf: leaf, agreement: agreement, agreementDigest: digest)
    }

    /// The sending gateway's checkpoint the forward names (`checkpoint`, its signed note),
    /// which must hold the leaf its key-binding JWT names. Its signature is the sending
    /// gateway's audit key, which we do not pin: it is recorded as that gateway's statement,
    /// checked later by asking it for the leaf's inclusion proof against this root. Absent
    /// from a forward that names none.
    static func senderCheckpoint(_ value: JSONValue?, covering leaf: Int) throws(GatewayProblem) -> Checkpoint? {
        guard let value else { return nil }
        guard let note = value.stringValue, let parsed = try? SignedNote(parsing: note), let checkpoint = try? Checkpoint(text: parsed.text) else {
            throw badForward("'checkpoint' is not a signed checkpoint note")
        }
        guard leaf >= 0, checkpoint.size > UInt64(leaf) else {
            throw badForward("'checkpoint' has size \(checkpoint.size), so it does not hold the key-binding JWT's audit leaf \(leaf)")
        }
        return checkpoint
    }

    static func badForward(_ detail: String) -> GatewayProblem {
        GatewayProblem(code: "invalid-forward", status: 400, title: "Bad forward", detail: detail)
    }
}
