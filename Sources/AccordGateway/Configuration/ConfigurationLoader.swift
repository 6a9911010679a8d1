public import Foundation
import Yams

/// Why a configuration was refused: the file, line and column, and what was wrong.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let location: String
    public let message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

extension GatewayConfiguration {
    /// Reads `accord.yaml` (every key optional; an unknown key is an error, so a typo never
    /// silently falls back to a default), then applies `environment` overrides.
    public static func load(file: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigurationError(location: file, message: "cannot read the configuration file (\(error.localizedDescription))")
            }
            try configuration.apply(yaml: text, file: file)
        }
        try configuration.apply(environment: environment)
        return configuration
    }

    /// The environment variables read, with the setting each overrides.
    public static let environmentVariables: [(name: String, setting: String)] = [
        ("ACCORD_LISTEN", "listen"), ("ACCORD_CONSOLE_LISTEN", "console.listen (\"off\" disables)"),
        ("ACCORD_CONSOLE_ACCOUNTS", "console.accounts (\"off\" for certificates only)"),
        ("ACCORD_AGREEMENTS", "paths.agreements"), ("ACCORD_CERTIFICATES", "paths.certificates"),
        ("ACCORD_DATABASE", "paths.database"), ("ACCORD_AUDIT_ORIGIN", "audit.origin"),
        ("ACCORD_RETENTION_DAYS", "retention.days"), ("ACCORD_LOG_LEVEL", "log_level"), ("ACCORD_LOG_FORMAT", "log_format (text or json)"),
        ("ACCORD_OPERATIONS_LISTEN", "operations.listen (\"off\" disables)"),
    ]

    mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        func address(_ name: String) throws(ConfigurationError) -> Address? {
            guard let value = environment[name] else { return nil }
            guard let parsed = Address(parsing: value) else {
                throw ConfigurationError(location: "environment \(name)", message: "expected host:port")
            }
            return parsed
        }
        if let listen = try address("ACCORD_LISTEN") { self.listen = listen }
        if environment["ACCORD_CONSOLE_LISTEN"] == "off" {
            consoleListen = nil
        } else if let console = try address("ACCORD_CONSOLE_LISTEN") {
            consoleListen = console
        }
        if environment["ACCORD_OPERATIONS_LISTEN"] == "off" {
            operationsListen = nil
        } else if let operations = try address("ACCORD_OPERATIONS_LISTEN") {
            operationsListen = operations
        }
        if let value = environment["ACCORD_LOG_FORMAT"] {
            guard let format = LogFormat(rawValue: value) else {
                throw ConfigurationError(location: "environment ACCORD_LOG_FORMAT", message: "expected one of: \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            logFormat = format
        }
        if let value = environment["ACCORD_CONSOLE_ACCOUNTS"] { consoleAccounts = value == "off" || value.isEmpty ? nil : value }
        if let value = environment["ACCORD_AGREEMENTS"] { agreementsDirectory = value }
        if let value = environment["ACCORD_CERTIFICATES"] { certificatesDirectory = value }
        if let value = environment["ACCORD_DATABASE"] { database = value }
        if let value = environment["ACCORD_AUDIT_ORIGIN"] { auditOrigin = value }
        if let value = environment["ACCORD_LOG_LEVEL"] { logLevel = value }
        if let value = environment["ACCORD_RETENTION_DAYS"] {
            guard let days = Int(value), days > 0 else {
                throw ConfigurationError(location: "environment ACCORD_RETENTION_DAYS", message: "expected a positive number of days")
            }
            retentionDays = days
        }
    }

    mutating func apply(yaml text: String, file: String) throws(ConfigurationError) {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { return }
            root = node
        } catch let error as YamlError {
            throw ConfigurationError(location: file, message: "not valid YAML: \(error)")
        } catch {
            throw ConfigurationError(location: file, message: "not valid YAML")
        }
        var reader = ConfigurationReader(file: file)
        try reader.read(root, into: &self)
    }
}

/// Walks the YAML tree with positions, so every error names its line and column.
struct ConfigurationReader {
    let file: String

    func location(_ node: Node) -> String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }

    func mapping(_ node: Node, _ allowed: Set<String>, _ what: String) throws(ConfigurationError) -> [(String, Node)] {
        guard let mapping = node.mapping else {
            throw ConfigurationError(location: location(node), message: "\(what) must be a mapping")
        }
        var pairs: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string else {
                throw ConfigurationError(location: location(key), message: "keys in \(what) must be strings")
            }
            guard allowed.contains(name) else {
                throw ConfigurationError(location: location(key), message: "unknown key '\(name)' in \(what); expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    func string(_ node: Node, _ what: String) throws(ConfigurationError) -> String {
        guard let value = node.scalar?.string, !value.isEmpty else {
            throw ConfigurationError(location: location(node), message: "\(what) must be a non-empty string")
        }
        return value
    }

    func integer(_ node: Node, _ what: String, atLeast minimum: Int = 1) throws(ConfigurationError) -> Int {
        guard let value = node.scalar.flatMap({ Int($0.string) }), value >= minimum else {
            throw ConfigurationError(location: location(node), message: "\(what) must be an integer of at least \(minimum)")
        }
        return value
    }

    func bool(_ node: Node, _ what: String) throws(ConfigurationError) -> Bool {
        switch node.scalar?.string {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw ConfigurationError(location: location(node), message: "\(what) must be true or false")
        }
    }

    func address(_ node: Node, _ what: String) throws(ConfigurationError) -> GatewayConfiguration.Address {
        let text = try string(node, what)
        guard let address = GatewayConfiguration.Address(parsing: text) else {
            throw ConfigurationError(location: location(node), message: "\(what) must be host:port, e.g. 127.0.0.1:8443")
        }
        return address
    }

    mutating func read(_ root: Node, into configuration: inout GatewayConfiguration) throws(ConfigurationError) {
        for (key, value) in try mapping(root, [
            "listen", "console", "operations", "paths", "tls", "trust", "audit", "retention", "push", "limits", "log_level", "log_format",
        ], "the configuration") {
            switch key {
            case "listen": configuration.listen = try address(value, "listen")
            case "console":
                for (name, node) in try mapping(value, ["listen", "enabled", "accounts", "operator_ca"], "console") {
                    if name == "listen" { configuration.consoleListen = try address(node, "console.listen") }
                    if name == "accounts" { configuration.consoleAccounts = try string(node, "console.accounts") }
                    if name == "operator_ca" { configuration.operatorCA = try string(node, "console.operator_ca") }
                    if name == "enabled", try !bool(node, "console.enabled") { configuration.consoleListen = nil }
                }
            case "operations":
                for (_, node) in try mapping(value, ["listen"], "operations") {
                    configuration.operationsListen = node.scalar?.string == "off" ? nil : try address(node, "operations.listen")
                }
            case "log_format":
                let text = try string(value, "log_format")
                guard let format = GatewayConfiguration.LogFormat(rawValue: text) else {
                    throw ConfigurationError(location: location(value), message: "log_format must be one of: \(GatewayConfiguration.LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                configuration.logFormat = format
            case "paths":
                for (name, node) in try mapping(value, ["agreements", "certificates", "database"], "paths") {
                    let path = try string(node, "paths.\(name)")
                    switch name {
                    case "agreements": configuration.agreementsDirectory = path
                    case "certificates": configuration.certificatesDirectory = path
                    default: configuration.database = path
                    }
                }
            case "tls":
                for (_, node) in try mapping(value, ["allow_tls12"], "tls") {
                    configuration.allowTLS12 = try bool(node, "tls.allow_tls12")
                }
            case "trust":
                for (name, node) in try mapping(value, ["crl_expiry", "check_seconds"], "trust") {
                    if name == "check_seconds" {
                        configuration.trustCheckSeconds = try integer(node, "trust.check_seconds")
                        continue
                    }
                    let text = try string(node, "trust.crl_expiry")
                    guard let choice = GatewayConfiguration.CRLExpiry(rawValue: text) else {
                        throw ConfigurationError(location: location(node), message: "trust.crl_expiry must be one of: \(GatewayConfiguration.CRLExpiry.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    configuration.crlExpiry = choice
                }
            case "audit":
                for (name, node) in try mapping(value, ["origin", "checkpoint_every_leaves", "checkpoint_interval_seconds"], "audit") {
                    switch name {
                    case "origin": configuration.auditOrigin = try string(node, "audit.origin")
                    case "checkpoint_every_leaves": configuration.checkpointEveryLeaves = UInt64(try integer(node, "audit.checkpoint_every_leaves"))
                    default: configuration.checkpointIntervalSeconds = try integer(node, "audit.checkpoint_interval_seconds")
                    }
                }
            case "retention":
                for (_, node) in try mapping(value, ["days"], "retention") {
                    configuration.retentionDays = try integer(node, "retention.days")
                }
            case "push":
                for (name, node) in try mapping(value, ["horizon_seconds", "poll_milliseconds"], "push") {
                    let number = try integer(node, "push.\(name)")
                    if name == "horizon_seconds" { configuration.pushHorizonSeconds = number } else { configuration.pushPollMilliseconds = number }
                }
            case "limits":
                try readLimits(value, into: &configuration.limits)
            default:
                configuration.logLevel = try string(value, "log_level")
            }
        }
    }

    func readLimits(_ node: Node, into limits: inout GatewayConfiguration.Limits) throws(ConfigurationError) {
        let keys: [String: WritableKeyPath<GatewayConfiguration.Limits, Int>] = [
            "max_body_bytes": \.maxBodyBytes, "max_header_bytes": \.maxHeaderBytes, "max_disclosures": \.maxDisclosures,
            "max_connections_per_agency": \.maxConnectionsPerAgency, "max_connections": \.maxConnections, "requests_per_second": \.requestsPerSecond,
            "burst": \.burst, "idle_timeout_seconds": \.idleTimeoutSeconds, "request_timeout_seconds": \.requestTimeoutSeconds, "handshake_timeout_seconds": \.handshakeTimeoutSeconds,
            "inbox_page_size": \.inboxPageSize, "console_connections": \.consoleConnections,
            "max_unauthenticated_per_source": \.maxUnauthenticatedPerSource,
        ]
        var nodes: [String: Node] = [:]
        for (name, value) in try mapping(node, Set(keys.keys), "limits") {
            limits[keyPath: keys[name]!] = try integer(value, "limits.\(name)")
            nodes[name] = value
        }
        if let at = nodes["console_connections"], limits.consoleConnections >= limits.maxConnections {
            throw ConfigurationError(location: location(at), message: """
                limits.console_connections (\(limits.consoleConnections)) must be below limits.max_connections \
                (\(limits.maxConnections)): it is the console's share, and the agency API has the rest
                """)
        }
        guard limits.maxConnections < limits.maxConnectionsPerAgency else { return }
        // The gateway-wide cap is at least one agency's share: unset, it rises to it (a file
        // written before the cap existed still loads); set below it, it is a contradiction.
        guard let at = nodes["max_connections"] else {
            limits.maxConnections = limits.maxConnectionsPerAgency
            return
        }
        throw ConfigurationError(location: location(at), message: """
            limits.max_connections (\(limits.maxConnections)) must be at least limits.max_connections_per_agency \
            (\(limits.maxConnectionsPerAgency)): raise the first or lower the second
            """)
    }
}
