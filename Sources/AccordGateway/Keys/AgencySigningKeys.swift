import AccordCore
public import AccordCrypto
public import AccordMessages
public import Foundation
import Synchronization

/// Finds an agency's message-signing key for the verifier. An agency names its key by `kid`
/// (the RFC 7638 thumbprint of the key, or the SHA-256 fingerprint of the certificate in hex)
/// among the signing certificates the gateway holds, or sends its chain in `x5c`. Either way
/// the certificate must chain to the trust store for signing, not be revoked, and speak for
/// the agency named in `iss`. A trust reload replaces the store and the certificates at once
/// (an agency's signing-key rollover is two certificates side by side, then one).
public final class AgencySigningKeys: IssuerKeyResolver {
    /// Why a key was not found; the verifier reports it as `issuer-key-unresolved`.
    public struct Unresolved: Error, CustomStringConvertible {
        public let description: String
    }

    private struct Entry {
        let key: PublicKey
        let agency: String
        let notAfter: Date
    }

    private struct State {
        let trustStore: TrustStore
        let registered: [String: [String: Entry]]
        /// x5c chains already verified, by leaf fingerprint, for a short while.
        var verifiedChains: [String: (entry: Entry, until: Date)] = [:]
    }

    private let state: Mutex<State>
    private let clock: @Sendable () -> Date

    public init(trustStore: TrustStore, certificates: [Certificate], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
        state = Mutex(Self.state(trustStore: trustStore, certificates: certificates, now: clock()))
    }

    /// Swaps in a reloaded trust store and signing certificates; chains verified under the old
    /// store are verified again.
    public func replace(trustStore: TrustStore, certificates: [Certificate]) {
        let fresh = Self.state(trustStore: trustStore, certificates: certificates, now: clock())
        state.withLock { $0 = fresh }
    }

    private static func state(trustStore: TrustStore, certificates: [Certificate], now: Date) -> State {
        var registered: [String: [String: Entry]] = [:]
        for certificate in certificates {
            // Certificates that do not verify now are left out; the gateway logs them at start.
            guard let agency = try? trustStore.verifyAgency(certificate, purpose: .signing, at: now),
                  let key = try? certificate.publicKey else { continue }
            let entry = Entry(key: key, agency: agency.agencyID, notAfter: certificate.notAfter)
            registered[agency.agencyID, default: [:]][key.jwk.thumbprintBase64URL] = entry
            registered[agency.agencyID, default: [:]][certificate.fingerprintSHA256] = entry
        }
        return State(trustStore: trustStore, registered: registered)
    }

    /// Agencies with at least one usable signing certificate.
    public var agencies: [String] { state.withLock { $0.registered.keys.sorted() } }

    public func key(issuer: String, kid: String?, x5c: [[UInt8]]?) throws -> PublicKey {
        let now = clock()
        if let x5c, let leafDER = x5c.first {
            return try chainKey(issuer: issuer, leafDER: leafDER, rest: Array(x5c.dropFirst()), now: now)
        }
        let registered = state.withLock { $0.registered[issuer] }
        guard let kid, let entry = registered?[kid] ?? registered?[kid.lowercased()] else {
            throw Unresolved(description: "no signing certificate of agency '\(issuer)' has kid '\(kid ?? "-")'")
        }
        guard entry.notAfter > now else {
            throw Unresolved(description: "the signing certificate of agency '\(issuer)' named by kid '\(kid)' has expired")
        }
        return entry.key
    }

    private func chainKey(issuer: String, leafDER: [UInt8], rest: [[UInt8]], now: Date) throws -> PublicKey {
        let fingerprint = Hex.encode(SHA256.hash(leafDER))
        let (trustStore, cached) = state.withLock { ($0.trustStore, $0.verifiedChains[fingerprint]) }
        if let cached, cached.until > now {
            guard cached.entry.agency == issuer else {
                throw Unresolved(description: "the x5c certificate speaks for '\(cached.entry.agency)', not for the issuer '\(issuer)'")
            }
            return cached.entry.key
        }
        let leaf = try Certificate(der: leafDER)
        let chain = try rest.map { try Certificate(der: $0) }
        let agency = try trustStore.verifyAgency(leaf, chain: chain, purpose: .signing, at: now)
        guard agency.agencyID == issuer else {
            throw Unresolved(description: "the x5c certificate speaks for '\(agency.agencyID)', not for the issuer '\(issuer)'")
        }
        let entry = Entry(key: try leaf.publicKey, agency: agency.agencyID, notAfter: leaf.notAfter)
        // A revocation published later takes effect within this window.
        state.withLock { state in
            // Only under the store it was verified with: a reload in between empties the cache.
            if state.trustStore === trustStore {
                state.verifiedChains[fingerprint] = (entry, min(leaf.notAfter, now.addingTimeInterval(300)))
            }
        }
        return entry.key
    }
}
