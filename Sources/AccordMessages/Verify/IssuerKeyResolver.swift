public import AccordCrypto

/// Finds the public key that signed an issuer JWT. The gateway's implementation verifies
/// the `x5c` chain, or looks `kid` up among the agency's registered signing certificates,
/// against its trust store; a resolver that cannot vouch for a key throws.
public protocol IssuerKeyResolver: Sendable {
    /// `issuer` is the unverified `iss` claim; `x5c` holds DER certificates, leaf first.
    func key(issuer: String, kid: String?, x5c: [[UInt8]]?) throws -> PublicKey
}

/// A fixed table of keys by issuer and `kid`, for tests, benchmarks and the command line.
public struct StaticIssuerKeyResolver: IssuerKeyResolver {
    public struct UnknownKey: Error, CustomStringConvertible {
        public let issuer: String
        public let kid: String?
        public var description: String { "no key registered for issuer '\(issuer)' with kid '\(kid ?? "-")'" }
    }

    private let keys: [String: [String: PublicKey]]

    /// `keys[issuer][kid]`.
    public init(_ keys: [String: [String: PublicKey]]) {
        self.keys = keys
    }

    public func key(issuer: String, kid: String?, x5c: [[UInt8]]?) throws -> PublicKey {
        guard let kid, let key = keys[issuer]?[kid] else { throw UnknownKey(issuer: issuer, kid: kid) }
        return key
    }
}
