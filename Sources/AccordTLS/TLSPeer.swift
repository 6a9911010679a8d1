public import AccordCrypto

/// Who is on the other end of a verified TLS connection: the certificate OpenSSL verified,
/// the Accord identity it carries, and what was negotiated. Bound for the lifetime of the
/// connection's task as `TLSPeer.current`, so request handlers read it without a lookup.
public struct TLSPeer: Sendable {
    /// The Accord identity in a certificate's subject alternative name URI.
    public enum Identity: Sendable, Hashable, CustomStringConvertible {
        /// `urn:accord:agency:<id>`: an agency system.
        case agency(AgencyIdentity)
        /// `urn:accord:operator:<role>:<name>`: a person using the console.
        case `operator`(role: String, name: String)
        /// `urn:accord:gateway:<name>`: a partner gateway forwarding to us; which partner is
        /// decided by the CA that issued it (docs/federation.md).
        case gateway(name: String)

        public static let operatorPrefix = "urn:accord:operator:"

        init?(certificate: Certificate) {
            if let agency = try? AgencyIdentity(certificate: certificate) {
                self = .agency(agency)
                return
            }
            let gateways = certificate.subjectAlternativeURIs.filter { $0.hasPrefix(IssuerBindings.gatewayPrefix) }
            if gateways.count == 1, !certificate.subjectAlternativeURIs.contains(where: { $0.hasPrefix(Self.operatorPrefix) }) {
                let name = gateways[0].dropFirst(IssuerBindings.gatewayPrefix.count)
                guard !name.isEmpty else { return nil }
                self = .gateway(name: String(name))
                return
            }
            let operators = certificate.subjectAlternativeURIs.filter { $0.hasPrefix(Self.operatorPrefix) }
            guard operators.count == 1 else { return nil }
            let parts = operators[0].dropFirst(Self.operatorPrefix.count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .operator(role: String(parts[0]), name: String(parts[1]))
        }

        public var description: String {
            switch self {
            case .agency(let agency): "agency \(agency.agencyID)"
            case .operator(let role, let name): "operator \(name) (\(role))"
            case .gateway(let name): "gateway \(name)"
            }
        }
    }

    /// Nil only on a server whose client certificates are optional, for a client that sent none.
    public let certificate: Certificate?
    public let identity: Identity?
    public let protocolVersion: String
    public let applicationProtocol: String?

    /// The peer a handshake that verified `certificate` would give, for driving the routes in
    /// process (the HTTP fuzz target); on a connection the peer always comes from OpenSSL.
    public init(verified certificate: Certificate) {
        self.init(certificate: certificate, identity: Identity(certificate: certificate), protocolVersion: "TLSv1.3", applicationProtocol: nil)
    }

    init(certificate: Certificate?, identity: Identity?, protocolVersion: String, applicationProtocol: String?) {
        self.certificate = certificate
        self.identity = identity
        self.protocolVersion = protocolVersion
        self.applicationProtocol = applicationProtocol
    }

    /// The agency id, when the peer is an agency system.
    public var agencyID: String? {
        if case .agency(let agency) = identity { return agency.agencyID }
        return nil
    }

    @TaskLocal public static var current: TLSPeer?
}
