public import AccordCore
public import Foundation

/// The claims an Accord message carries in clear, so that the gateway routes and decides
/// without reading any disclosed value: the routing claims (`iss` and the `accord` object),
/// and the message's `jti`, `iat` and `exp`.
public struct ClearClaims: Sendable, Equatable {
    public var routing: RoutingClaims
    /// The message's `jti`, unique per issuer; the gateway uses it against replay.
    public var jti: String
    public var issuedAt: Date
    public var expiresAt: Date

    public init(routing: RoutingClaims, jti: String, issuedAt: Date, expiresAt: Date) {
        self.routing = routing
        self.jti = jti
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// The top-level claim names that stay in clear; `cnf` and `_sd_alg` are added by the issuer.
    public static let names: Set<String> = ["iss", "jti", "iat", "exp", "nbf", "accord", "cnf", "_sd_alg"]

    /// Reads the clear claims from the issuer-signed payload as signed, before any
    /// disclosure is applied: a routing claim hidden behind a digest is refused.
    init(payload: [String: JSONValue]) throws(MessageError) {
        func date(_ value: JSONValue?, _ name: String) throws(MessageError) -> Date {
            guard let seconds = value?.doubleValue, seconds.isFinite else {
                throw MessageError(.invalidRoutingClaims, "claim '\(name)' must be a NumericDate in clear")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        routing = try RoutingClaims(clearPayload: payload)
        jti = try RoutingClaims.clearString(payload["jti"], "jti")
        issuedAt = try date(payload["iat"], "iat")
        expiresAt = try date(payload["exp"], "exp")
    }
}

extension RoutingClaims {
    static let accordMemberNames: Set<String> = ["type", "to", "purpose", "classification", "agreement", "case_ref"]

    static func clearString(_ value: JSONValue?, _ name: String) throws(MessageError) -> String {
        guard case .string(let text)? = value, !text.isEmpty else {
            throw MessageError(.invalidRoutingClaims, "claim '\(name)' must be a non-empty string in clear")
        }
        return text
    }

    /// Reads `iss` and the `accord` object from an issuer-signed payload as signed.
    init(clearPayload payload: [String: JSONValue]) throws(MessageError) {
        let string = Self.clearString
        let issuer = AgencyID(rawValue: try string(payload["iss"], "iss"))
        guard case .object(let accord)? = payload["accord"] else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord' must be an object in clear")
        }
        // `_sd` is tolerated for decoys only: a disclosure under `accord` is refused by the verifier.
        for key in accord.keys where !Self.accordMemberNames.contains(key) && key != "_sd" {
            throw MessageError(.invalidRoutingClaims, "claim 'accord' has a member outside the routing claims (\(ClaimPath([.member("accord"), .member(key)])))")
        }
        let type = try string(accord["type"], "accord.type")
        let purpose = try string(accord["purpose"], "accord.purpose")
        let classification = try string(accord["classification"], "accord.classification")
        guard case .array(let to)? = accord["to"], !to.isEmpty else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord.to' must be a non-empty array of agency ids in clear")
        }
        var recipients: [AgencyID] = []
        for element in to {
            recipients.append(AgencyID(rawValue: try string(element, "accord.to[*]")))
        }
        guard Set(recipients).count == recipients.count else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord.to' names a recipient twice")
        }
        let agreement = accord["agreement"] == nil ? nil : AgreementID(rawValue: try string(accord["agreement"], "accord.agreement"))
        let caseReference = accord["case_ref"] == nil ? nil : try string(accord["case_ref"], "accord.case_ref")
        self.init(issuer: issuer, type: type, recipients: recipients, purpose: purpose, classification: classification,
                  agreement: agreement, caseReference: caseReference)
    }

    /// The `accord` object as it appears in the payload.
    var accordObject: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type),
            "to": .array(recipients.map { .string($0.rawValue) }),
            "purpose": .string(purpose),
            "classification": .string(classification),
        ]
        if let agreement { members["agreement"] = .string(agreement.rawValue) }
        if let caseReference { members["case_ref"] = .string(caseReference) }
        return .object(members)
    }
}

extension JSONValue {
    /// A NumericDate (RFC 7519): whole seconds since the epoch.
    static func numericDate(_ date: Date) -> JSONValue {
        .integer(Int(date.timeIntervalSince1970.rounded(.down)))
    }
}
