public import AccordPolicy
public import AccordStore
public import Foundation

/// The audit log's decisions as the impact analysis reads them.
public enum PastTraffic {
    public static func decisions(in store: any AccordStorage, since: Date) async throws -> [PastDecision] {
        try await store.recordedDecisions(since: since).compactMap { group in
            let d = group.decision
            return PastDecision(from: d.from, to: d.to, type: d.type, purpose: d.purpose, classification: d.classification,
                                agreement: d.agreement, denial: d.reason, disclosed: d.disclosed, withheld: d.withheld,
                                count: group.count, first: group.first, last: group.last)
        }
    }
}
