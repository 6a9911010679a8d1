public import Foundation

/// What only the gateway can do with its trust: report the CRLs in force, and re-read trust
/// anchors, CRLs and its TLS certificate (validated first, audited as `trust.reloaded` or
/// `trust.rejected` with `actor` as the actor).
public protocol TrustControl: Sendable {
    /// Each CRL in force: its issuer and its nextUpdate.
    func revocationLists() async -> [(issuer: String, nextUpdate: Date?)]

    func reload(by actor: String) async -> TrustReloadResult
}

/// What came of a trust reload asked for from the console.
public enum TrustReloadResult: Sendable, Equatable {
    /// The new trust is in force; `digest` names it, as the audit record does.
    case reloaded(digest: String)
    /// Nothing under the certificates directory changed.
    case unchanged(digest: String)
    /// The files failed validation; the trust in force is unchanged.
    case rejected([String])
}
