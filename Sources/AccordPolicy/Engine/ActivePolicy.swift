public import Foundation
public import AccordCore
import Synchronization

/// The agreements in force, swapped atomically. Readers take the current snapshot and decide
/// against it without locks; activation replaces it only with a set that passed validation.
public final class ActivePolicy: Sendable {
    /// One activated set: what was compiled, when, and a digest naming the whole set.
    public struct Snapshot: Sendable {
        public let policy: CompiledPolicy
        public let generation: Int
        /// SHA-256 hex over the sorted agreement ids and their file digests, then the registry,
        /// purposes and schema files' names and digests.
        public let setDigest: String

        /// Whether `digest`, as a store recorded it, names this set: its digest, or the
        /// agreements-only digest of a set recorded by an earlier version.
        public func isRecorded(as digest: String) -> Bool {
            digest == setDigest || digest == ActivePolicy.agreementsOnlyDigest(of: policy.set)
        }
    }

    private let state: Mutex<Snapshot>

    public init(_ set: AgreementSet) {
        state = Mutex(Snapshot(policy: CompiledPolicy(set), generation: 1, setDigest: Self.digest(of: set)))
    }

    public var current: Snapshot { state.withLock { $0 } }

    public func evaluate(_ routing: RoutingClaims, claimPaths: [String], for recipient: AgencyID, on date: CalendarDate) -> Decision {
        current.policy.evaluate(routing, claimPaths: claimPaths, for: recipient, on: date)
    }

    /// Decides as on the UTC day containing `instant` (the gateway passes its injected clock's now).
    public func evaluate(_ routing: RoutingClaims, claimPaths: [String], for recipient: AgencyID, at instant: Date) -> Decision {
        evaluate(routing, claimPaths: claimPaths, for: recipient, on: CalendarDate(instant))
    }

    /// Validates and compiles `sources`, then makes them active. On any problem it throws
    /// `PolicyError.invalidAgreements` and the active set stays as it was.
    @discardableResult
    public func activate(_ sources: AgreementSources, today: CalendarDate) throws(PolicyError) -> Snapshot {
        let set = try AgreementSet.load(sources, today: today)
        return activate(set)
    }

    /// Makes an already validated set active.
    @discardableResult
    public func activate(_ set: AgreementSet) -> Snapshot {
        let compiled = CompiledPolicy(set)
        let digest = Self.digest(of: set)
        return state.withLock { current in
            current = Snapshot(policy: compiled, generation: current.generation + 1, setDigest: digest)
            return current
        }
    }

    /// Over the agreements and everything else that decides a message: the registry, the
    /// purposes and the schemas (`AgreementSet.groundDigests`), not the properties.
    static func digest(of set: AgreementSet) -> String {
        let text = set.agreements.map { "\($0.id) \($0.digest)\n" }.joined() + set.groundDigests.map { "\($0)\n" }.joined()
        return set.hashing.init().digest(of: text).hex
    }

    /// The digest this set had before the registry, purposes and schemas counted: the one a
    /// set activated by an earlier version is recorded under, still recognised as that set.
    public static func agreementsOnlyDigest(of set: AgreementSet) -> String {
        set.hashing.init().digest(of: set.agreements.map { "\($0.id) \($0.digest)\n" }.joined()).hex
    }
}
