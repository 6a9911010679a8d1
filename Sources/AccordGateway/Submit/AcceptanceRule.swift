import AccordCore
import AccordMessages
import AccordPolicy

/// A verified message as the acceptance rules see it: its routing, the id the gateway gives
/// it, and the binding key it names, resolved once. A class, immutable: every rule and the
/// planner read the same instance, where a struct of this size was copied, retained and
/// released at each hand-off (docs/performance.md).
final class CandidateMessage: Sendable {
    let received: ReceivedMessage
    let message: VerifiedMessage
    let messageID: MessageID
    /// The thumbprint of the gateway binding key `cnf.jwk` names; nil when it names none of them.
    let binding: String?

    init(received: ReceivedMessage, message: VerifiedMessage, messageID: MessageID, binding: String?) {
        self.received = received
        self.message = message
        self.messageID = messageID
        self.binding = binding
    }

    var routing: RoutingClaims { message.routing }
    /// The schema of the message's type in the snapshot; nil when the set declares none.
    var schema: MessageSchema? { received.snapshot.policy.set.schemas[routing.type] }
}

/// One condition a verified message must meet before any agreement is consulted, in the
/// manner of a certificate verifier's policies: rules are small values, the gateway composes
/// them, and the first that refuses decides. A rule never allows on error.
protocol AcceptanceRule: Sendable {
    func check(_ candidate: CandidateMessage) -> Refusal?
}

/// The rules in the order they run.
struct AcceptanceRules: Sendable {
    let rules: [any AcceptanceRule]

    func check(_ candidate: CandidateMessage) throws(Refusal) {
        for rule in rules {
            if let refusal = rule.check(candidate) { throw refusal }
        }
    }
}
