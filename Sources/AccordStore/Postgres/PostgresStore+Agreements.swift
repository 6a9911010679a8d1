import AccordPostgres
import Synchronization

extension PostgresStore {
    /// The channel on which an activation's transaction notifies the other nodes.
    static let agreementChannel = "accord_agreements"

    /// Returns when a node (this one or another) has activated an agreement set, or after
    /// `timeout`, whichever comes first: the prompt to compare the set in force with the one
    /// recorded last. Notifications can be lost (a dropped connection, a restart), so callers
    /// compare after every return, timeout included; that comparison is the fallback.
    public func waitForAgreementActivation(timeout: Duration) async {
        do {
            let connection = try await agreementListener()
            _ = try await connection.nextNotification(timeout: timeout)
        } catch {
            agreementListenerConnection.withLock { $0 = nil }
            try? await Task.sleep(for: timeout)
        }
    }

    private func agreementListener() async throws -> PGConnection {
        if let connection = agreementListenerConnection.withLock({ $0 }), await connection.isUsable { return connection }
        let connection = try await PGConnection.connect(url)
        try await connection.listen(Self.agreementChannel)
        agreementListenerConnection.withLock { $0 = connection }
        return connection
    }
}
