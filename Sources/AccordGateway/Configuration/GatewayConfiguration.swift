import Foundation

/// Everything `accord serve` needs to know, read from `accord.yaml` and overridden by
/// `ACCORD_*` environment variables. Defaults are the development layout of a fresh clone.
public struct GatewayConfiguration: Sendable, Equatable {
    /// A listening address, `host:port`.
    public struct Address: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        /// Parses `host:port`, `[v6]:port`.
        public init?(parsing text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]), (0...65_535).contains(port) else {
                return nil
            }
            var host = String(trimmed[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Limits that protect the gateway and every agency from one misbehaving client.
    public struct Limits: Sendable, Equatable {
        public var maxBodyBytes = 1 << 20
        public var maxHeaderBytes = 16 * 1024
        public var maxDisclosures = 512
        public var maxConnectionsPerAgency = 64
        /// TLS connections open at once over both listeners; further ones are closed at accept,
        /// before a handshake. At least `maxConnectionsPerAgency` (the loader raises it to that
        /// when the file does not set it).
        public var maxConnections = 4_096
        /// The console's share of `maxConnections`, reserved for it and its most, so that a
        /// flood on either listener never takes the other's slots; the agency API has the rest.
        public var consoleConnections = 64
        /// Connections one source address (an IPv4 address, an IPv6 /64) may hold open before
        /// they authenticate (until the handshake verifies a client certificate); further ones
        /// are closed at accept. `handshakeTimeoutSeconds` frees those that never finish.
        public var maxUnauthenticatedPerSource = 32
        /// Sustained requests per second per agency; `burst` more may arrive at once.
        public var requestsPerSecond = 2_000
        public var burst = 4_000
        /// A connection that sends nothing for this long is closed (slow or stalled clients).
        public var idleTimeoutSeconds = 30
        /// From a request's first byte to its response's first byte: slower clients (or a
        /// request that trickles in) are disconnected.
        public var requestTimeoutSeconds = 30
        public var handshakeTimeoutSeconds = 10
        public var inboxPageSize = 100

        public init() {}
    }

    public var listen = Address(host: "127.0.0.1", port: 8443)
    /// The console's own listener; nil turns the console off.
    public var consoleListen: Address? = Address(host: "127.0.0.1", port: 8444)
    /// The operations listener: plain HTTP serving only `/livez` and `/readyz`, for probes
    /// that hold no certificate (docs/operations.md, "Monitoring"); nil turns it off. On
    /// loopback by default because it has no authentication.
    public var operationsListen: Address? = Address(host: "127.0.0.1", port: 8445)
    /// The console's local accounts file (`accord accounts`); nil admits operators by
    /// certificate only. With it, the console's TLS makes client certificates optional.
    public var consoleAccounts: String?
    /// The CA that issues operator certificates, a file under the certificates directory:
    /// operator certificates from any other CA are refused.
    public var operatorCA = "ca.pem"
    /// What a CRL past its nextUpdate does (docs/operations.md, "When a CRL lapses").
    public enum CRLExpiry: String, Sendable, Equatable, CaseIterable {
        /// Every certificate of that CA is refused until a fresh CRL is published: fail closed.
        case refuse
        /// The lapsed CRL still revokes what it lists; the rest of that CA's certificates pass.
        case useLast = "use-last"
    }

    public var crlExpiry = CRLExpiry.refuse
    /// How often the certificates directory is checked for changed CRLs and certificates.
    public var trustCheckSeconds = 60
    public var agreementsDirectory = "Agreements"
    /// The trust anchors and CRLs (`*.pem`, `*.crl` at its top), the gateway's keys under
    /// `gateway/`, and agency signing certificates under `agencies/<id>/signing.pem`.
    public var certificatesDirectory = "Certificates/dev"
    public var database = "var/accord.sqlite"
    /// Accept TLS 1.2 as well as 1.3 (for overseas partners that need it).
    public var allowTLS12 = false
    /// The audit log's origin line and checkpoint key name.
    public var auditOrigin = "accord.local/audit"
    public var checkpointEveryLeaves: UInt64 = 1_000
    public var checkpointIntervalSeconds = 10
    /// How long submitted SD-JWTs and presentations are kept; their audit leaves stay forever.
    public var retentionDays = 90
    /// How long the gateway keeps trying to push a delivery to an agency's `endpoint:`, counted
    /// from acceptance; after it the delivery is left for pulling (docs/api.md, "Push delivery").
    public var pushHorizonSeconds = 86_400
    /// How often an idle push worker looks for new deliveries.
    public var pushPollMilliseconds = 200
    public var limits = Limits()
    public var logLevel = "info"

    /// How `accord serve` writes its log lines on standard error.
    public enum LogFormat: String, Sendable, Equatable, CaseIterable {
        /// swift-log's text lines: time, level, label, message, `key=value` metadata.
        case text
        /// One JSON object a line, for log collectors that parse fields.
        case json
    }

    public var logFormat = LogFormat.text

    public init() {}
}
