import AccordCore
import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import Foundation
import Logging

extension Gateway {
    /// Writes a `message.denied` leaf for a refusal and returns the problem to throw. If the
    /// audit write itself fails the refusal still stands, but the client is told to retry so
    /// that no refusal goes unrecorded silently. What the sender wrote is recorded bounded
    /// (`AuditText`), so that a refusal's leaf stays small whatever the message held.
    func refuse(
        _ problem: GatewayProblem, agency: AgencyID, digest: String, stage: String, routing: RoutingClaims? = nil,
        messageID: MessageID? = nil, denials: [(recipient: AgencyID, denial: Denial)] = [], offered: [String] = []
    ) async -> GatewayProblem {
        let time = now()
        var records: [AuditRecord] = []
        var base = ["stage": stage]
        if let routing {
            base["type"] = AuditText.bounded(routing.type)
            base["purpose"] = AuditText.bounded(routing.purpose)
        }
        let from = AuditText.bounded(routing?.issuer ?? agency)
        if denials.isEmpty {
            records.append(AuditRecord(
                event: .messageDenied, time: time, actor: agency.rawValue, messageID: messageID, from: from,
                to: AuditText.recipients(routing?.recipients ?? [], limit: options.maxRecipients), reason: problem.code,
                submissionDigest: digest, details: base))
        } else {
            // A policy decision records what a delivery's leaf would: the classification, and
            // the declared claim paths offered, all withheld (docs/audit.md).
            if let routing { base["classification"] = AuditText.bounded(routing.classification) }
            for (recipient, denial) in denials {
                var details = base
                if !denial.agreements.isEmpty { details["agreements"] = denial.agreements.map { AuditText.bounded($0.rawValue) }.joined(separator: ",") }
                records.append(AuditRecord(
                    event: .messageDenied, time: time, actor: agency.rawValue, messageID: messageID, from: from,
                    to: [AuditText.bounded(recipient)], withheld: offered, reason: denial.code.rawValue, submissionDigest: digest,
                    details: details))
            }
        }
        metrics.denied(problem.code)
        logger.notice("message refused", metadata: ["agency": "\(agency)", "code": "\(problem.code)", "stage": "\(stage)"])
        do {
            _ = try await store.append(records)
        } catch {
            logger.error("auditing a refusal failed", metadata: ["code": "\(problem.code)", "error": "\(error.code.rawValue)"])
            return .unavailable("the message was refused (\(problem.code)) but the refusal could not be audited; retry")
        }
        return problem
    }

    /// Refuses an agency the active registry does not list: its certificates may still be valid
    /// (until revoked), but an agency removed from `agencies.yaml` has no business with the API.
    func requireRegistered(_ agency: AgencyID) throws(GatewayProblem) {
        guard policy.current.policy.set.agencies[agency] == nil else { return }
        throw Self.unregistered(agency)
    }

    static func unregistered(_ agency: AgencyID) -> GatewayProblem {
        GatewayProblem(code: "unknown-agency", status: 403, title: "Not a registered agency",
                       detail: "agency '\(agency)' is not in the agency registry (agencies.yaml); its certificate no longer admits it")
    }

    /// Maps a verification error to a problem: the code is the verifier's, the status says
    /// whose fault it is.
    static func problem(for error: MessageError) -> GatewayProblem {
        let status: Int
        let title: String
        switch error.code {
        case .tooLarge:
            status = 413
            title = "The message is too large"
        case .tooManyDisclosures, .nestingTooDeep:
            status = 413
            title = "The message exceeds a limit"
        case .issuerKeyUnresolved, .signatureInvalid:
            status = 403
            title = "The message's signature cannot be trusted"
        case .expired, .issuedInFuture, .notYetValid:
            status = 422
            title = "The message is outside its validity period"
        default:
            status = 400
            title = "The message is not a valid Accord SD-JWT"
        }
        return GatewayProblem(code: error.code.rawValue, status: status, title: title, detail: error.message)
    }
}
