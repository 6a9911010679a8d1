import AccordPolicy
public import AccordStore
import Logging

extension Gateway {
    /// Brings into force here the set another node activated: when the set the store recorded
    /// last is not the one in force, it is restored from the store (checked against its digest)
    /// and made active. Nothing is audited and nothing reconciled: the activating node did both,
    /// once. Returns the digest now in force when it changed.
    public func followRecordedAgreements() async throws(StoreError) -> String? {
        guard let digest = try await store.latestAgreementSetDigest(), !policy.current.isRecorded(as: digest),
              let stored = try await store.latestAgreementSet() else { return nil }
        let restored: ActivePolicy
        do { restored = try Gateway.policy(restoring: stored) } catch {
            logger.error("the agreement set another node activated does not load here; the set in force stays",
                         metadata: ["version": "\(stored.version)", "error": "\(error)"])
            return nil
        }
        policy.activate(restored.current.policy.set)
        logger.notice("agreements activated by another node are in force", metadata: ["digest": "\(digest)", "version": "\(stored.version)"])
        return digest
    }
}
