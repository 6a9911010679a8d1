import AccordCore
import AccordMessages
import AccordPolicy

/// Why a stage would not take a message further, with what the audit record of the refusal
/// names. Thrown by the stages and turned into an audited `GatewayProblem` by the gateway.
struct Refusal: Error, Sendable {
    /// Where in the path the message was refused; recorded as the denial's `stage`.
    enum Stage: String, Sendable {
        case identity, verify, schema, policy, idempotency
    }

    let problem: GatewayProblem
    let stage: Stage
    /// The message's clear claims, once it verified.
    var clear: ClearClaims?
    var messageID: MessageID?
    var denials: [(recipient: AgencyID, denial: Denial)] = []
    /// For a policy refusal, the claim paths the message offered that its schema declares (names
    /// the schema does not know may be data, so they are left out): with the classification,
    /// what a replay against a draft needs to say what the draft would have disclosed.
    var offered: [String] = []
    /// A message accepted earlier under the same id is answered with its receipt instead, even
    /// if it would be refused now (its agreement was suspended since, say). Refusals before the
    /// message id is known, or that name the connection rather than the message, do not.
    var yieldsToEarlierAcceptance = false
    /// False for the store's failures: nothing was decided against the message, so there is
    /// no refusal to record, only an answer telling the client to retry.
    var isAudited = true

    var routing: RoutingClaims? { clear?.routing }
}
