import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Deploy/systemd-postgres: the `accord@.service` template and the environment files of two
/// nodes on one PostgreSQL database, checked as Deploy/accord.service is (OperationsTests) and
/// loaded with Deploy/accord.yaml as `accord serve` would load them.
@Suite struct SystemdNodesTests {
    static let directory = PackageRoot.url.appendingPathComponent("Deploy/systemd-postgres")
    static let nodes = ["a", "b"]

    @Test(.needs("systemd-analyze", fromPackage: "systemd"))
    func eachNodesUnitVerifiesAndIsHardened() async throws {
        let scratch = try PackageRoot.temporaryDirectory("units")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let template = try String(contentsOf: Self.directory.appendingPathComponent("accord@.service"), encoding: .utf8)
        for node in Self.nodes {
            // systemd-analyze verifies an instance: the template under the instance's name.
            let file = scratch.appendingPathComponent("accord@\(node).service")
            try template.replacingOccurrences(of: "/usr/local/bin/accord", with: PackageRoot.accordExecutable.path)
                .write(to: file, atomically: true, encoding: .utf8)
            let verify = try await ExternalProcess.run("systemd-analyze", ["verify", file.path])
            #expect(verify.status == 0, "accord@\(node): \(verify.standardError)")
            let security = try await ExternalProcess.run("systemd-analyze", ["security", "--offline=yes", "--threshold=25", file.path])
            #expect(security.status == 0, "accord@\(node): exposure above 2.5: \(security.standardOutput.suffix(200))")
        }
        for setting in ["ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "User=accord", "EnvironmentFile=/etc/accord/nodes/%i.env",
                        "LoadCredential=pgpass:/etc/accord/pgpass", "Environment=PGPASSFILE=%d/pgpass"] {
            #expect(template.contains("\n\(setting)\n"), "accord@.service lacks \(setting)")
        }
        #expect(!template.contains("StateDirectory="), "a node on PostgreSQL keeps no state of its own")
    }

    @Test func bothNodesLoadOnTheSameDatabaseWithTheirOwnListeners() throws {
        let file = PackageRoot.url.appendingPathComponent("Deploy/accord.yaml").path
        let configurations = try Self.nodes.map { node in
            try GatewayConfiguration.load(file: file, environment: try Self.environment(of: node))
        }
        let databases = Set(configurations.map(\.database))
        try #require(databases.count == 1, "the nodes must share one database: \(databases.count) named")
        let url = try #require(databases.first)
        #expect(PostgresStore.isURL(url), "the nodes must run on PostgreSQL")
        let components = try #require(URLComponents(string: url))
        #expect(components.password == nil, "the password belongs in the unit's credential, not in the URL")
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        #expect(query["sslmode"] == "verify-full")
        let root = try #require(query["sslrootcert"])
        for configuration in configurations {
            #expect(!root.hasPrefix(configuration.certificatesDirectory + "/"),
                    "the database's CA in paths.certificates would be trusted as an agencies' CA")
        }

        // Two nodes may share a host: no port twice; the console and the probes stay on loopback.
        let ports = configurations.flatMap { [$0.listen.port, $0.consoleListen?.port, $0.operationsListen?.port] }
        #expect(!ports.contains(nil) && Set(ports).count == ports.count, "each node needs its own ports: \(ports)")
        for configuration in configurations {
            #expect(configuration.consoleListen?.host == "127.0.0.1" && configuration.operationsListen?.host == "127.0.0.1")
            #expect(configuration.auditOrigin == configurations[0].auditOrigin && configuration.certificatesDirectory == configurations[0].certificatesDirectory)
        }
    }

    /// An environment file as systemd reads it: `NAME=value` lines, `#` comments, no quoting.
    static func environment(of node: String) throws -> [String: String] {
        let text = try String(contentsOf: directory.appendingPathComponent("\(node).env"), encoding: .utf8)
        var environment: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let pair = line.split(separator: "=", maxSplits: 1).map(String.init)
            try #require(pair.count == 2 && !pair[1].hasPrefix("\""), "\(node).env: \(line)")
            environment[pair[0]] = pair[1]
        }
        return environment
    }
}
