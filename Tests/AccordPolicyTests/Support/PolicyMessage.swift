import AccordCore
import AccordPolicy
import Foundation

/// An example message as these tests write one: its routing claims and the paths of the claims
/// it carries, the two things the engines decide on.
typealias PolicyMessage = (routing: RoutingClaims, claimPaths: [String])

extension CompiledPolicy {
    func evaluate(_ message: PolicyMessage, for recipient: AgencyID, on date: CalendarDate) -> Decision {
        evaluate(message.routing, claimPaths: message.claimPaths, for: recipient, on: date)
    }
}

extension ReferenceEvaluator {
    func evaluate(_ message: PolicyMessage, for recipient: AgencyID, on date: CalendarDate) -> Decision {
        evaluate(message.routing, claimPaths: message.claimPaths, for: recipient, on: date)
    }

    func explain(_ message: PolicyMessage, for recipient: AgencyID, on date: CalendarDate) -> Explanation {
        explain(message.routing, claimPaths: message.claimPaths, for: recipient, on: date)
    }
}

extension ActivePolicy {
    func evaluate(_ message: PolicyMessage, for recipient: AgencyID, on date: CalendarDate) -> Decision {
        evaluate(message.routing, claimPaths: message.claimPaths, for: recipient, on: date)
    }

    func evaluate(_ message: PolicyMessage, for recipient: AgencyID, at instant: Date) -> Decision {
        evaluate(message.routing, claimPaths: message.claimPaths, for: recipient, at: instant)
    }
}
