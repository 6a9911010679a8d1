import AccordCore
public import Foundation

/// The claims an Accord message carries in clear, so that the gateway routes and decides
/// without reading any disclosed value: `iss`, `jti`, `iat`, `exp` and the `accord` object.
public struct RoutingClaims: Sendable, Equatable {
    /// The issuing agency's id (`iss`).
    public var issuer: String
    /// The message id (`jti`), unique per issuer; the gateway uses it against replay.
    public var messageID: String
    public var issuedAt: Date
    public var expiresAt: Date
    /// `accord.type`: the message type, naming its schema.
    public var type: String
    /// `accord.to`: one or more recipient agency ids.
    public var recipients: [String]
    public var purpose: String
    public var classification: String
    /// `accord.agreement`: the agreement the sender invokes, if it names one.
    public var agreement: String?
    /// `accord.case_ref`: the sender's case reference, if any.
    public var caseReference: String?

    public init(
        issuer: String, messageID: String, issuedAt: Date, expiresAt: Date, type: String, recipients: [String],
        purpose: String, classification: String, agreement: String? = nil, caseReference: String? = nil
    ) {
        self.issuer = issuer
        self.messageID = messageID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.type = type
        self.recipients = recipients
        self.purpose = purpose
        self.classification = classification
        self.agreement = agreement
        self.caseReference = caseReference
    }

    /// The top-level claim names that stay in clear; `cnf` and `_sd_alg` are added by the issuer.
    public static let clearClaimNames: Set<String> = ["iss", "jti", "iat", "exp", "nbf", "accord", "cnf", "_sd_alg"]

    static let accordMemberNames: Set<String> = ["type", "to", "purpose", "classification", "agreement", "case_ref"]

    /// Reads the routing claims from the issuer-signed payload as signed, before any
    /// disclosure is applied: a routing claim hidden behind a digest is refused.
    init(clearPayload payload: [String: JSONValue]) throws(MessageError) {
        func string(_ value: JSONValue?, _ name: String) throws(MessageError) -> String {
            guard case .string(let text)? = value, !text.isEmpty else {
                throw MessageError(.invalidRoutingClaims, "claim '\(name)' must be a non-empty string in clear")
            }
            return text
        }
        func date(_ value: JSONValue?, _ name: String) throws(MessageError) -> Date {
            guard let seconds = value?.doubleValue, seconds.isFinite else {
                throw MessageError(.invalidRoutingClaims, "claim '\(name)' must be a NumericDate in clear")
            }
            return Date(timeIntervalSince1970: seconds)
        }
        issuer = try string(payload["iss"], "iss")
        messageID = try string(payload["jti"], "jti")
        issuedAt = try date(payload["iat"], "iat")
        expiresAt = try date(payload["exp"], "exp")
        guard case .object(let accord)? = payload["accord"] else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord' must be an object in clear")
        }
        // `_sd` is tolerated for decoys only: a disclosure under `accord` is refused by the verifier.
        for key in accord.keys where !Self.accordMemberNames.contains(key) && key != "_sd" {
            throw MessageError(.invalidRoutingClaims, "claim 'accord' has a member outside the routing claims (\(ClaimPath([.member("accord"), .member(key)])))")
        }
        type = try string(accord["type"], "accord.type")
        purpose = try string(accord["purpose"], "accord.purpose")
        classification = try string(accord["classification"], "accord.classification")
        guard case .array(let to)? = accord["to"], !to.isEmpty else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord.to' must be a non-empty array of agency ids in clear")
        }
        var recipients: [String] = []
        for element in to {
            recipients.append(try string(element, "accord.to[*]"))
        }
        guard Set(recipients).count == recipients.count else {
            throw MessageError(.invalidRoutingClaims, "claim 'accord.to' names a recipient twice")
        }
        self.recipients = recipients
        agreement = accord["agreement"] == nil ? nil : try string(accord["agreement"], "accord.agreement")
        caseReference = accord["case_ref"] == nil ? nil : try string(accord["case_ref"], "accord.case_ref")
    }

    /// The `accord` object as it appears in the payload.
    var accordObject: JSONValue {
        var members: [String: JSONValue] = [
            "type": .string(type),
            "to": .array(recipients.map { .string($0) }),
            "purpose": .string(purpose),
            "classification": .string(classification),
        ]
        if let agreement { members["agreement"] = .string(agreement) }
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
