import AccordGateway
import AccordTestSupport
import Foundation
import Testing

/// What an administrator deploys: the configuration file, its environment overrides, the
/// systemd unit, and online backups.
@Suite struct OperationsTests {
    @Test func theDeployConfigurationLoads() throws {
        let file = PackageRoot.url.appendingPathComponent("Deploy/accord.yaml").path
        let configuration = try GatewayConfiguration.load(file: file, environment: [:])
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 8443))
        #expect(configuration.consoleListen == .init(host: "127.0.0.1", port: 8444))
        #expect(configuration.database == "/var/lib/accord/accord.sqlite")
        #expect(configuration.auditOrigin == "accord.example.govt.nz/audit")
        #expect(configuration.limits.maxConnectionsPerAgency == 64 && configuration.retentionDays == 90)
        #expect(configuration.limits.maxConnections == 4_096)
        #expect(configuration.operationsListen == .init(host: "127.0.0.1", port: 8445), "the probes have no authentication: loopback")
        #expect(configuration.limits.consoleConnections == 64 && configuration.limits.maxUnauthenticatedPerSource == 32)
        #expect(configuration.logFormat == .text)
        #expect(configuration.pushHorizonSeconds == 86_400 && configuration.pushPollMilliseconds == 200)
    }

    @Test func environmentVariablesOverrideTheFile() throws {
        let file = PackageRoot.url.appendingPathComponent("Deploy/accord.yaml").path
        let configuration = try GatewayConfiguration.load(file: file, environment: [
            "ACCORD_LISTEN": "[::1]:9443", "ACCORD_CONSOLE_LISTEN": "off", "ACCORD_DATABASE": "/tmp/x.sqlite", "ACCORD_RETENTION_DAYS": "7",
        ])
        #expect(configuration.listen == .init(host: "::1", port: 9443) && configuration.consoleListen == nil)
        #expect(configuration.database == "/tmp/x.sqlite" && configuration.retentionDays == 7)
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: nil, environment: ["ACCORD_LISTEN": "nowhere"]) }
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: nil, environment: ["ACCORD_RETENTION_DAYS": "-1"]) }

        let operations = try GatewayConfiguration.load(file: file, environment: ["ACCORD_OPERATIONS_LISTEN": "0.0.0.0:9445", "ACCORD_LOG_FORMAT": "json"])
        #expect(operations.operationsListen == .init(host: "0.0.0.0", port: 9445) && operations.logFormat == .json)
        #expect(try GatewayConfiguration.load(file: file, environment: ["ACCORD_OPERATIONS_LISTEN": "off"]).operationsListen == nil)
        #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: nil, environment: ["ACCORD_LOG_FORMAT": "xml"]) }
    }

    @Test func theOperationsListenerAndTheLogFormatAreSetInTheFile() throws {
        let directory = try PackageRoot.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accord.yaml")
        try "operations:\n  listen: 0.0.0.0:9000\nlog_format: json\n".write(to: file, atomically: true, encoding: .utf8)
        var configuration = try GatewayConfiguration.load(file: file.path, environment: [:])
        #expect(configuration.operationsListen == .init(host: "0.0.0.0", port: 9000) && configuration.logFormat == .json)
        try "operations: {listen: off}\n".write(to: file, atomically: true, encoding: .utf8)
        configuration = try GatewayConfiguration.load(file: file.path, environment: [:])
        #expect(configuration.operationsListen == nil && configuration.logFormat == .text)
    }

    @Test func theConnectionCapIsAtLeastOneAgencysShare() throws {
        let directory = try PackageRoot.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("accord.yaml")
        try "limits:\n  max_connections_per_agency: 10000\n".write(to: file, atomically: true, encoding: .utf8)
        var limits = try GatewayConfiguration.load(file: file.path, environment: [:]).limits
        #expect(limits.maxConnections == 10_000, "an unset cap rises to the per-agency limit")
        try "limits:\n  max_connections: 64\n  max_connections_per_agency: 8\n".write(to: file, atomically: true, encoding: .utf8)
        limits = try GatewayConfiguration.load(file: file.path, environment: [:]).limits
        #expect(limits.maxConnections == 64 && limits.maxConnectionsPerAgency == 8)
    }

    @Test func aMistakeInTheFileIsRefusedWithItsLineAndColumn() throws {
        let directory = try PackageRoot.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(String, String, String)] = [
            ("listen: 127.0.0.1:8443\nlimits:\n  max_body_byte: 5\n", ":3:3", "unknown key 'max_body_byte'"),
            ("listen: localhost\n", ":1:9", "host:port"),
            ("limits:\n  burst: -4\n", ":2:10", "at least 1"),
            ("tls: {allow_tls12: maybe}\n", ":1:20", "true or false"),
            ("listen: [unclosed\n", "", "not valid YAML"),
            ("limits:\n  max_connections: 32\n", ":2:20", "must be at least limits.max_connections_per_agency (64)"),
            ("limits:\n  max_connections_per_agency: 100\n  max_connections: 99\n", ":3:20", "(99) must be at least"),
            ("operations: {listen: 8445}\n", ":1:22", "host:port"),
            ("log_format: yaml\n", ":1:13", "text, json"),
            ("limits:\n  max_connections: 64\n  console_connections: 64\n", ":3:24", "must be below limits.max_connections (64)"),
            ("push:\n  horizon_seconds: 0\n", ":2:20", "at least 1"),
            ("push: {horizon: 24h}\n", ":1:8", "unknown key 'horizon'"),
        ]
        for (text, location, message) in cases {
            let file = directory.appendingPathComponent("accord.yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: ConfigurationError.self) { try GatewayConfiguration.load(file: file.path, environment: [:]) }
            #expect(error?.location.hasSuffix(location) == true, "\(text): \(error.map { "\($0)" } ?? "accepted")")
            #expect(error?.message.contains(message) == true, "\(text): \(error.map { "\($0)" } ?? "accepted")")
        }
    }

    @Test(.needs("systemd-analyze", fromPackage: "systemd"))
    func theSystemdUnitVerifiesAndIsHardened() async throws {
        let directory = try PackageRoot.temporaryDirectory("unit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let unit = try String(contentsOf: PackageRoot.url.appendingPathComponent("Deploy/accord.service"), encoding: .utf8)
        let file = directory.appendingPathComponent("accord.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/accord", with: PackageRoot.accordExecutable.path).write(to: file, atomically: true, encoding: .utf8)
        let verify = try await ExternalProcess.run("systemd-analyze", ["verify", file.path])
        #expect(verify.status == 0, "\(verify.standardError)")
        let security = try await ExternalProcess.run("systemd-analyze", ["security", "--offline=yes", "--threshold=25", file.path])
        #expect(security.status == 0, "exposure above 2.5: \(security.standardOutput.suffix(200))")
        for setting in ["ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "StateDirectory=accord", "User=accord"] {
            #expect(unit.contains(setting))
        }
    }
}
