import AccordAudit
import AccordMessages
import AccordPolicy
import AccordStore
import Foundation
import Logging

extension Gateway {
    /// Writes a `message.denied` leaf for a refusal and returns the problem to throw. If the
    /// audit write itself fails the refusal still stands, but the client is told to retry so
    /// that no refusal goes unrecorded silently.
    func refuse(
        _ problem: GatewayProblem, agency: String, digest: String, stage: String, routing: RoutingClaims? = nil,
        messageID: String? = nil, denials: [(recipient: String, denial: Denial)] = []
    ) async -> GatewayProblem {
        let time = now()
        var records: [AuditRecord] = []
        let base = ["stage": stage]
        if denials.isEmpty {
            records.append(AuditRecord(
                event: .messageDenied, time: time, actor: agency, messageID: messageID, from: routing?.issuer ?? agency,
                to: routing?.recipients ?? [], reason: problem.code, submissionDigest: digest,
                details: routing.map { base.merging(["type": $0.type, "purpose": $0.purpose]) { a, _ in a } } ?? base))
        } else {
            for (recipient, denial) in denials {
                var details = base
                if let routing { details.merge(["type": routing.type, "purpose": routing.purpose]) { a, _ in a } }
                if !denial.agreements.isEmpty { details["agreements"] = denial.agreements.joined(separator: ",") }
                records.append(AuditRecord(
                    event: .messageDenied, time: time, actor: agency, messageID: messageID, from: routing?.issuer ?? agency,
                    to: [recipient], reason: denial.code.rawValue, submissionDigest: digest, details: details))
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
