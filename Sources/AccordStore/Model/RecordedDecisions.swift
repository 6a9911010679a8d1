import AccordCore
import AccordAudit
public import Foundation

/// One policy decision for one recipient as its audit leaf records it (`message.accepted`, or
/// `message.denied` at the policy stage): names and claim paths, never a value.
public struct RecordedDecision: Sendable, Hashable {
    public let delivered: Bool
    public let from: String
    public let to: String
    public let type: String
    public let purpose: String
    /// Recorded for deliveries only.
    public let classification: String?
    /// The agreement that delivered.
    public let agreement: String?
    /// The denial code of a refusal.
    public let reason: String?
    /// Claim paths sent, sorted.
    public let disclosed: [String]
    /// Claim paths the schema declares that were offered and withheld, sorted.
    public let withheld: [String]

    /// Nil for a leaf that is not a recorded policy decision for one recipient.
    init?(_ record: AuditRecord) {
        guard let from = record.from, record.to.count == 1, let type = record.details["type"],
              let purpose = record.details["purpose"] else { return nil }
        switch record.event {
        case .messageAccepted:
            guard let agreement = record.agreement?.id else { return nil }
            delivered = true
            self.agreement = agreement.rawValue
            reason = nil
            classification = record.details["classification"]
        case .messageDenied:
            guard record.details["stage"] == "policy", let reason = record.reason else { return nil }
            delivered = false
            agreement = nil
            self.reason = reason
            classification = record.details["classification"]
        default:
            return nil
        }
        self.from = from.rawValue
        to = record.to[0].rawValue
        self.type = type
        self.purpose = purpose
        disclosed = record.disclosed.sorted()
        withheld = record.withheld.sorted()
    }
}

/// Identical recorded decisions: how many, and the first and last time.
public struct RecordedDecisionGroup: Sendable {
    public let decision: RecordedDecision
    public internal(set) var count: Int
    public internal(set) var first: Date
    public internal(set) var last: Date
}

extension AuditReading {
    /// Groups the decision leaves read through `query`; a backend that can group in the
    /// database does so instead (`SQLiteStore`).
    public func recordedDecisions(since: Date) async throws(StoreError) -> [RecordedDecisionGroup] {
        var grouping = DecisionGrouping()
        for leaf in try await query(AuditQuery(since: since, events: [.messageAccepted, .messageDenied])) {
            grouping.add(leaf.record)
        }
        return grouping.groups
    }
}

/// Folds records into groups of identical decisions.
struct DecisionGrouping {
    private var index: [RecordedDecision: Int] = [:]
    private(set) var groups: [RecordedDecisionGroup] = []

    mutating func add(_ record: AuditRecord) {
        guard let decision = RecordedDecision(record) else { return }
        let time = record.time
        if let at = index[decision] {
            groups[at].count += 1
            groups[at].first = min(groups[at].first, time)
            groups[at].last = max(groups[at].last, time)
        } else {
            index[decision] = groups.count
            groups.append(RecordedDecisionGroup(decision: decision, count: 1, first: time, last: time))
        }
    }
}
