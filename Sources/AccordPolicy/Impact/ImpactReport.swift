public import AccordCore
public import Foundation

/// What a draft set would have done differently to past traffic: flows it opens and closes,
/// and per flow the claim paths it newly discloses or newly withholds, each with the number
/// of past messages affected and the first and last time it happened.
public struct ImpactReport: Sendable {
    /// Past messages affected by one change, and when.
    public struct Tally: Sendable, Hashable {
        public internal(set) var messages: Int
        public internal(set) var first: Date
        public internal(set) var last: Date

        mutating func add(_ decision: PastDecision) {
            messages += decision.count
            first = min(first, decision.first)
            last = max(last, decision.last)
        }

        init(_ decision: PastDecision) {
            messages = decision.count
            first = decision.first
            last = decision.last
        }
    }

    /// A flow whose past messages the draft decides the other way.
    public struct FlowChange: Sendable, Hashable {
        public let key: FlowKey
        /// Opened: the draft's agreement. Closed: the agreement that delivered them.
        public let agreement: AgreementID
        /// Closed: why the draft refuses them (a denial code). Opened: the code they were refused with.
        public let reason: String
        public internal(set) var tally: Tally
    }

    /// A claim path of one flow that the draft treats the other way.
    public struct ClaimChange: Sendable, Hashable {
        public let key: FlowKey
        /// The draft's agreement for the flow.
        public let agreement: AgreementID
        public let path: String
        public internal(set) var tally: Tally
    }

    /// The past decisions replayed (messages, one per recipient).
    public let decisions: Int
    /// The window replayed: the first and last decision found, nil when there was none.
    public let first: Date?
    public let last: Date?
    /// The day the draft was decided on.
    public let day: CalendarDate
    public let opened: [FlowChange]
    public let closed: [FlowChange]
    public let newlyDisclosed: [ClaimChange]
    public let newlyWithheld: [ClaimChange]
    /// Refusals replayed without their classification (the leaves do not record it), at the
    /// lowest classification: a flow they open might still refuse them above its ceiling.
    public let refusalsWithoutClassification: Int
    /// Refusals for their classification, which cannot be replayed without it; counted in
    /// `decisions`, compared with nothing.
    public let notReplayed: Int

    public var isEmpty: Bool { opened.isEmpty && closed.isEmpty && newlyDisclosed.isEmpty && newlyWithheld.isEmpty }
}
