import AccordAudit
import Yams

/// How the audit log is published and witnessed (docs/audit.md, "Witnesses"): the `log:`
/// section of accord.yaml.
public struct LogConfiguration: Sendable, Equatable {
    /// A witness the gateway sends each new checkpoint to (C2SP tlog-witness).
    public struct Witness: Sendable, Equatable {
        /// The witness's key name, as its cosignature lines carry it.
        public var name: String
        /// The witness's base URL; the gateway POSTs to `<url>/add-checkpoint`.
        public var url: String
        /// Its cosignature/v1 verifier key, `name+keyid+base64(0x04||key)`.
        public var key: String
        /// The CA certificate file (PEM) that issued an `https://` witness's certificate: the
        /// only trust anchor for it (docs/audit.md, "Witnesses over TLS").
        public var ca: String?
        /// An `http://` URL must say so: the checkpoint and cosignature then cross in clear.
        public var plainHTTP: Bool

        public init(name: String, url: String, key: String, ca: String? = nil, plainHTTP: Bool = false) {
            self.name = name
            self.url = url
            self.key = key
            self.ca = ca
            self.plainHTTP = plainHTTP
        }
    }

    public var witnesses: [Witness] = []
    /// Cosignatures a checkpoint needs before `/v1/log/checkpoint` publishes it.
    public var cosignaturesRequired = 0
    public var witnessIntervalMilliseconds = 1_000
    /// The longest wait before asking an unreachable witness again; the wait starts at the
    /// witness interval and doubles with each failure in a row.
    public var witnessBackoffMaxSeconds = 300
    /// Agencies that may read entry bundles: oversight, such as the Privacy Commissioner.
    public var entryReaders: [String] = []
    /// Serve the checkpoint and hash tiles on the operations listener too (no entries there).
    public var onOperationsListener = false

    public init() {}
}

extension ConfigurationReader {
    func readLog(_ node: Node, into log: inout LogConfiguration) throws(ConfigurationError) {
        for (name, value) in try mapping(node, [
            "witnesses", "cosignatures_required", "witness_interval_milliseconds", "witness_backoff_max_seconds", "entry_readers",
            "on_operations_listener",
        ], "log") {
            switch name {
            case "witnesses":
                guard let items = value.sequence else { throw ConfigurationError(location: location(value), message: "log.witnesses must be a list") }
                log.witnesses = []
                for item in items {
                    var witness = LogConfiguration.Witness(name: "", url: "", key: "")
                    for (field, text) in try mapping(item, ["name", "url", "key", "ca", "plain_http"], "a witness") {
                        if field == "plain_http" {
                            witness.plainHTTP = try bool(text, "log.witnesses.plain_http")
                            continue
                        }
                        let string = try string(text, "log.witnesses.\(field)")
                        switch field {
                        case "name": witness.name = string
                        case "ca": witness.ca = string
                        case "url":
                            guard string.hasPrefix("http://") || string.hasPrefix("https://") else {
                                throw ConfigurationError(location: location(text), message: "log.witnesses.url must be an http:// or https:// URL")
                            }
                            witness.url = string
                        default:
                            do { _ = try CosignatureVerifier(verifierKey: string) } catch {
                                throw ConfigurationError(location: location(text), message: "log.witnesses.key: \(error.message)")
                            }
                            witness.key = string
                        }
                    }
                    guard !witness.name.isEmpty, !witness.url.isEmpty, !witness.key.isEmpty else {
                        throw ConfigurationError(location: location(item), message: "a witness needs name, url and key")
                    }
                    guard (try? CosignatureVerifier(verifierKey: witness.key))?.name == witness.name else {
                        throw ConfigurationError(location: location(item), message: "witness '\(witness.name)': its key is for another name")
                    }
                    if witness.url.hasPrefix("https://") {
                        guard witness.ca != nil, !witness.plainHTTP else {
                            throw ConfigurationError(location: location(item), message: """
                                witness '\(witness.name)': an https:// witness needs 'ca', the CA certificate file that issued its \
                                certificate (and no plain_http)
                                """)
                        }
                    } else {
                        guard witness.plainHTTP, witness.ca == nil else {
                            throw ConfigurationError(location: location(item), message: """
                                witness '\(witness.name)': an http:// witness sends checkpoints and cosignatures in clear; use https:// \
                                with 'ca', or say 'plain_http: true' (loopback, or a TLS terminator in front)
                                """)
                        }
                    }
                    log.witnesses.append(witness)
                }
            case "cosignatures_required": log.cosignaturesRequired = try integer(value, "log.cosignatures_required", atLeast: 0)
            case "witness_interval_milliseconds": log.witnessIntervalMilliseconds = try integer(value, "log.witness_interval_milliseconds")
            case "witness_backoff_max_seconds": log.witnessBackoffMaxSeconds = try integer(value, "log.witness_backoff_max_seconds", atLeast: 1)
            case "entry_readers":
                guard let items = value.sequence else { throw ConfigurationError(location: location(value), message: "log.entry_readers must be a list") }
                log.entryReaders = try items.map { item throws(ConfigurationError) in try string(item, "log.entry_readers") }
            default: log.onOperationsListener = try bool(value, "log.on_operations_listener")
            }
        }
        guard log.cosignaturesRequired <= log.witnesses.count else {
            throw ConfigurationError(location: location(node),
                                     message: "log.cosignatures_required (\(log.cosignaturesRequired)) exceeds the \(log.witnesses.count) witnesses listed")
        }
    }
}
