public import AccordCore
import AccordPolicy
import Foundation

/// `GET /v1/agreements`: what the calling agency may send, to whom, for which purposes, with
/// which claims, and what it may receive, under the agreements in force today.
public struct PermittedFlows: Sendable, Equatable, Codable {
    public struct Flow: Sendable, Equatable, Codable {
        public let agreement: String
        public let title: String
        public let legalBasis: [String]
        public let validUntil: String
        public let from: [String]
        public let to: [String]
        public let types: [String]
        public let purposes: [String]
        public let maxClassification: String
        public let handling: String
        public let disclose: [String]
        public let neverDisclose: [String]
        public let heldForReview: Bool

        enum CodingKeys: String, CodingKey {
            case agreement, title, from, to, types, purposes, handling, disclose
            case legalBasis = "legal_basis"
            case validUntil = "valid_until"
            case maxClassification = "max_classification"
            case neverDisclose = "never_disclose"
            case heldForReview = "held_for_review"
        }
    }

    public let agency: String
    public let agreementSetDigest: String
    public let send: [Flow]
    public let receive: [Flow]

    enum CodingKeys: String, CodingKey {
        case agency, send, receive
        case agreementSetDigest = "agreement_set_digest"
    }
}

extension Gateway {
    public func permittedFlows(for agency: AgencyID) throws(GatewayProblem) -> PermittedFlows {
        try requireRegistered(agency)
        let snapshot = policy.current
        let today = CalendarDate(now())
        var send: [PermittedFlows.Flow] = []
        var receive: [PermittedFlows.Flow] = []
        for agreement in snapshot.policy.set.agreements where agreement.isInEffect(on: today) {
            for flow in agreement.flows {
                let entry = PermittedFlows.Flow(
                    agreement: agreement.id.rawValue, title: agreement.title,
                    legalBasis: agreement.legalBasis.map { "\($0.instrument) \($0.provision)" },
                    validUntil: agreement.validUntil.description, from: flow.from.map(\.rawValue), to: flow.to.map(\.rawValue), types: flow.types,
                    purposes: flow.purposes, maxClassification: flow.maxClassification.rawValue, handling: flow.handling.rawValue,
                    disclose: flow.disclose, neverDisclose: flow.neverDisclose, heldForReview: flow.isHeld)
                if flow.from.contains(agency) { send.append(entry) }
                if flow.to.contains(agency) { receive.append(entry) }
            }
        }
        return PermittedFlows(agency: agency.rawValue, agreementSetDigest: snapshot.setDigest, send: send, receive: receive)
    }
}
