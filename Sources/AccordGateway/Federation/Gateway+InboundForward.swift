public import AccordCore
public import AccordCrypto
import AccordMessages
import AccordPolicy
import Foundation

/// What a gateway decides about one delivery a partner gateway forwarded to it
/// (docs/federation.md, "Receiving"): deliver it as it arrived, or refuse it whole.
public enum InboundForwardDecision: Sendable, Equatable {
    /// Every claim that arrived is one this gateway's agreement lets the recipient have.
    case accept(recipient: AgencyID, agreement: AgreementID, agreementDigest: String, disclosed: [String], held: Bool)
    /// A stable code and a detail naming what was wrong: ids, codes and claim paths, never a value.
    case refuse(code: String, detail: String)
}

extension Gateway {
    /// Decides a forward that `partner` sent for `recipient`: the presentation must verify (the
    /// originator's signature against the originator's registered CA; the key-binding JWT with
    /// `aud` the recipient and `nonce` the partner's delivery id), be bound with the partner's
    /// pinned `binding_key`, come from an agency the partner serves, and go to an agency of
    /// ours under an agreement of ours that allows every claim that arrived. A narrower
    /// agreement refuses the whole delivery: dropping disclosures would break the partner's
    /// `sd_hash`, and the SD-JWT's `cnf` names the partner's key, so this gateway cannot re-bind.
    public func checkForward(_ presentation: String, deliveryID: DeliveryID, recipient: AgencyID, from partner: String,
                             pinnedKey: PublicKey) -> InboundForwardDecision {
        let snapshot = policy.current
        let set = snapshot.policy.set
        guard set.gateways[partner] != nil else {
            return .refuse(code: "unknown-partner", detail: "'\(partner)' is not a partner gateway in agencies.yaml")
        }
        guard let agency = set.agencies[recipient], !agency.isOverseas, set.gatewayServing[recipient] == nil else {
            return .refuse(code: "not-our-agency", detail: "'\(recipient)' is not an agency this gateway serves")
        }
        let message: VerifiedMessage
        do {
            message = try verifier.verify(presentation, now: now(), keyBinding: KeyBindingExpectation(audience: recipient, nonce: deliveryID))
        } catch {
            return .refuse(code: "presentation-invalid", detail: "the forwarded presentation does not verify: \(error.code.rawValue)")
        }
        guard let holder = message.holderKey, holder.thumbprintBase64URL == pinnedKey.jwk.thumbprintBase64URL else {
            return .refuse(code: "binding-key-not-pinned",
                           detail: "the presentation is not bound with the binding_key agencies.yaml pins for '\(partner)'")
        }
        let originator = message.routing.issuer
        guard set.gatewayServing[originator]?.id == partner else {
            return .refuse(code: "originator-not-behind-partner", detail: "'\(originator)' is not an agency '\(partner)' serves")
        }
        let routing = RoutingClaims(
            issuer: originator, type: message.routing.type, recipients: [recipient], purpose: message.routing.purpose,
            classification: message.routing.classification)
        switch snapshot.policy.evaluate(routing, claimPaths: message.pathStrings, for: recipient, on: CalendarDate(now())) {
        case .deny(let denial):
            return .refuse(code: "no-inbound-agreement", detail: "\(denial.code.rawValue): \(denial.explanation)")
        case .deliver(let delivery):
            // Redacting under our agreement must give back exactly what arrived: any disclosure
            // it would drop, or claim in clear it does not permit, is more than we may receive.
            let permitted = Set(delivery.disclosed)
            let redacted = message.redact(permitting: permitted)
            let arrived = String(presentation[...(presentation.lastIndex(of: "~") ?? presentation.startIndex)])
            let excess = Set(redacted.serialization == arrived ? [] : redacted.withheldPaths)
                .union(redacted.clearPaths.filter { !permitted.contains($0) })
            guard excess.isEmpty else {
                return .refuse(code: "partner-agreement-narrower",
                               detail: "this gateway's agreement '\(delivery.agreementID)' does not allow: \(excess.sorted().joined(separator: ", "))")
            }
            return .accept(recipient: recipient, agreement: delivery.agreementID, agreementDigest: delivery.agreementDigest,
                           disclosed: delivery.disclosed, held: delivery.held)
        }
    }
}
