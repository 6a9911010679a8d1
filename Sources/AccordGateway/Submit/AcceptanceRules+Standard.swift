import AccordCore
import AccordMessages
import AccordPolicy

extension AcceptanceRules {
    /// Every rule a message to the gateway must meet (docs/architecture.md, "verify").
    static func standard(maxRecipients: Int) -> AcceptanceRules {
        AcceptanceRules(rules: [IssuerIsSender(), NamesGatewayBindingKey(), RecipientLimit(maximum: maxRecipients), ControlledValuesRule()])
    }
}

/// An agency submits only its own messages: `iss` is the agency of the TLS client certificate.
struct IssuerIsSender: AcceptanceRule {
    func check(_ candidate: CandidateMessage) -> Refusal? {
        let issuer = candidate.routing.issuer
        guard issuer != candidate.received.agency else { return nil }
        return Refusal(problem: .forbidden("identity-mismatch",
            "the message's 'iss' is '\(issuer)' but the TLS client certificate is agency '\(candidate.received.agency)'; an agency submits only its own messages"),
            stage: .identity, clear: candidate.message.clear)
    }
}

/// The issuer bound the message to the gateway: `cnf.jwk` is one of its binding keys.
struct NamesGatewayBindingKey: AcceptanceRule {
    func check(_ candidate: CandidateMessage) -> Refusal? {
        guard candidate.binding == nil else { return nil }
        return Refusal(problem: .badRequest("holder-key-mismatch",
            "the message's 'cnf.jwk' must be the gateway's binding key (GET /v1/keys)"),
            stage: .verify, clear: candidate.message.clear)
    }
}

/// A bounded number of recipients, refused before any agreement is consulted.
struct RecipientLimit: AcceptanceRule {
    let maximum: Int

    func check(_ candidate: CandidateMessage) -> Refusal? {
        let count = candidate.routing.recipients.count
        guard count > maximum else { return nil }
        // Not recorded recipient by recipient: the names are the sender's and unbounded.
        return Refusal(problem: .badRequest("too-many-recipients",
            "'accord.to' names \(count) recipients; at most \(maximum) are accepted"), stage: .verify)
    }
}

/// A claim whose schema lists its values takes only those.
struct ControlledValuesRule: AcceptanceRule {
    func check(_ candidate: CandidateMessage) -> Refusal? {
        guard let schema = candidate.schema,
              let claim = ControlledValues.firstViolation(in: candidate.message.claims, schema: schema) else { return nil }
        // The path and the vocabulary are the schema's; the value is never repeated.
        return Refusal(problem: .badRequest("value-not-allowed",
            "claim '\(claim.path)' takes only the values its schema lists: \(claim.values.joined(separator: ", "))"),
            stage: .schema, clear: candidate.message.clear, messageID: candidate.messageID, yieldsToEarlierAcceptance: true)
    }
}
