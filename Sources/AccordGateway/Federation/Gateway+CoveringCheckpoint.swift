public import AccordStore
import Logging

extension Gateway {
    /// The first signed checkpoint whose tree holds leaf `index`, signing one now if none does
    /// yet. What one gateway tells a partner about a leaf of its log names this checkpoint, so
    /// a privacy officer on the other side can later ask for the leaf's inclusion proof against
    /// a root hash their own log already holds (docs/federation.md, "What each side logs").
    /// Nil when no checkpoint could be had; the caller says so rather than name a wrong one.
    public func coveringCheckpoint(of index: UInt64) async -> StoredCheckpoint? {
        do {
            if let covering = try await store.firstCheckpoint(covering: index) { return covering }
            _ = try await store.checkpointNow()
            return try await store.firstCheckpoint(covering: index)
        } catch {
            logger.error("no checkpoint covering a federation leaf could be had", metadata: ["leaf": "\(index)", "error": "\(error.code.rawValue)"])
            return nil
        }
    }
}
