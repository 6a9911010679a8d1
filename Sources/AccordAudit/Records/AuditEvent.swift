/// What happened. The raw values are written into leaves, so they never change once shipped.
public enum AuditEvent: String, Sendable, Hashable, CaseIterable, Codable {
    case messageAccepted = "message.accepted"
    case messageDenied = "message.denied"
    case messageDelivered = "message.delivered"
    case messageAcknowledged = "message.acknowledged"
    case messageHeld = "message.held"
    case messageReleased = "message.released"
    /// One privacy officer's approval of a delivery whose flow needs more than one; the
    /// delivery stays held until enough different officers approve (docs/console.md).
    case messageApproved = "message.approved"
    /// A privacy officer was shown the values a held delivery would disclose. The record
    /// names the paths shown, never the values (docs/audit.md).
    case messageViewedForReview = "message.viewed-for-review"
    case messageExpired = "message.expired"
    /// A delivery's agreement went out of force: it is not handed out or released meanwhile.
    case messageWaiting = "message.waiting"
    /// The agreement is in force again: the delivery goes out (or may be released) after all.
    case messageResumed = "message.resumed"
    /// A partner gateway refused a delivery forwarded to it; `reason` is its problem code and
    /// `details.partner` names it. Final: the forward is not retried (docs/federation.md).
    case messageForwardRefused = "message.forward-refused"
    /// A partner gateway answered a forward with success but with a receipt that does not
    /// verify against its pinned binding key or does not name this delivery: not an
    /// acknowledgement, so the forward is retried; `reason` says what was wrong
    /// (docs/federation.md, "The partner's receipt").
    case messageForwardUnacknowledged = "message.forward-unacknowledged"
    /// A partner gateway's forward accepted for one of our agencies; `details` name the partner
    /// and the sending gateway's own leaf, so each log names the other's (docs/federation.md).
    case messageReceivedFromPartner = "message.received-from-partner"
    case agreementsActivated = "agreements.activated"
    case agreementsRejected = "agreements.rejected"
    /// An active agreement passed its `valid_until` and went out of force; written once per version.
    case agreementExpired = "agreement.expired"
    case certificateRejected = "certificate.rejected"
    /// Trust anchors, CRLs, the TLS certificate or the registry's bindings replaced on a running gateway.
    case trustReloaded = "trust.reloaded"
    /// A trust reload that failed validation; the trust in force is unchanged.
    case trustRejected = "trust.rejected"
    /// The key that signs checkpoints was replaced; `details` name the old and the new
    /// verifier keys, and the next checkpoint is signed by both.
    case auditKeyRotated = "audit.key_rotated"
    /// The key that binds presentations was replaced; `details` give the old and new key
    /// thumbprints. Keys kept in `gateway/binding-keys/` still bind what names them.
    case bindingKeyRotated = "binding.key_rotated"
    case auditQueried = "audit.queried"
    case auditExported = "audit.exported"
    case gatewayStarted = "gateway.started"
    case gatewayStopped = "gateway.stopped"
    /// A console operator signed in with a local account's password.
    case operatorSignedIn = "operator.signed_in"
    case operatorSignedOut = "operator.signed_out"
    /// Repeated wrong passwords locked a name for a while.
    case operatorLockedOut = "operator.locked_out"
}
