import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Several `accord serve` processes of one `ServedGateway` (one configuration, one
/// certificates directory, as nodes sharing their secrets do) on one PostgreSQL database,
/// each on its own port. `with` stops them by pid however the test ends.
final class ServedNodes: @unchecked Sendable {
    let served: ServedGateway
    let ports: [Int]
    private(set) var processes: [BackgroundProcess] = []

    /// Runs `body` with `count` nodes started at once on `database`, then stops them, however
    /// `body` ends; their exit statuses when it returns.
    static func with(_ served: ServedGateway, count: Int, database: String, _ body: (ServedNodes) async throws -> Void) async throws -> [Int32] {
        let nodes = try ServedNodes(served, count: count, database: database)
        do {
            try await body(nodes)
        } catch {
            _ = await nodes.stop()
            throw error
        }
        return await nodes.stop()
    }

    /// Starts `count` nodes at once on `database`.
    private init(_ served: ServedGateway, count: Int, database: String) throws {
        self.served = served
        var ports = [served.port]
        while ports.count < count { ports.append(try FreePort.find()) }
        self.ports = ports
        for port in ports {
            processes.append(try BackgroundProcess(served.accord, ["serve", "--config", served.config.path, "--database", database,
                                                                   "--listen", "127.0.0.1:\(port)"]))
        }
    }

    /// Whether every node answers within `timeout`.
    func waitUntilServing(within timeout: Duration = .seconds(60)) async -> Bool {
        for port in ports {
            let up = await eventuallyHolds(within: timeout) { try await self.curl("/healthz", port: port).status == 0 }
            if !up { return false }
        }
        return true
    }

    /// curl as `agency` against `path` on the node at `port`.
    func curl(_ path: String, port: Int, as agency: String = "nz.police") async throws -> ExternalProcess.Output {
        try await ExternalProcess.run("curl", [
            "--silent", "--fail", "--max-time", "2", "--cacert", served.pki.caCertificate.path,
            "--cert", served.pki.agencyTLSCertificate(agency).path, "--key", served.pki.agencyTLSKey(agency).path,
            "https://localhost:\(port)\(path)",
        ])
    }

    /// SIGTERM to every node, then waits for each to exit; the exit statuses in start order.
    private func stop() async -> [Int32] {
        for process in processes { kill(process.processIdentifier, SIGTERM) }
        var statuses: [Int32] = []
        for process in processes { statuses.append(await process.finish().status) }
        return statuses
    }
}
