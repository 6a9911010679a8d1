import AccordAudit
import AccordGateway
import AccordStore
import ArgumentParser
import Foundation

/// The gateway running on a database, as the commands that change it from outside see it: a
/// process to signal (SIGHUP) and an audit log in which it records what it did.
struct RunningGateway {
    let pid: pid_t
    let configuration: GatewayConfiguration

    /// The gateway serving `configuration.database`, if one is running.
    init?(_ configuration: GatewayConfiguration) {
        guard let pid = PIDFile(database: configuration.database).runningProcess() else { return nil }
        self.pid = pid
        self.configuration = configuration
    }

    /// Sends SIGHUP, then waits up to `timeout` seconds for a leaf of `events` written since,
    /// for which `done` answers; nil at the deadline. `done` may throw to stop the wait.
    func reload(timeout: Int, events: [AuditEvent], until done: (AuditLeaf) throws -> Bool) async throws -> AuditLeaf? {
        let started = Date()
        guard kill(pid, SIGHUP) == 0 else {
            throw ValidationError("cannot signal the gateway (pid \(pid)): \(String(cString: strerror(errno))); reload it with 'systemctl reload accord'")
        }
        let reader = try SQLiteStore.open(path: configuration.database, configuration: StoreConfiguration(origin: configuration.auditOrigin, signer: nil))
        let deadline = started.addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            for leaf in try await reader.query(AuditQuery(since: started, events: events)) where try done(leaf) {
                return leaf
            }
        }
        return nil
    }
}
