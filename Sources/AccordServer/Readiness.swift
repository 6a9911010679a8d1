import AccordAudit
import AccordGateway
import AccordPolicy
import AccordStore
public import Foundation

/// What `GET /readyz` decides: whether the gateway can do its work now, check by check. Each
/// check is a pure function of what it reads, so tests can decide edge cases without a gateway.
public struct Readiness: Sendable {
    /// One check's outcome. `detail` says what was found in words an operator can act on and
    /// never names an agency, a certificate subject or anything from a message: the operations
    /// listener has no authentication.
    public struct Check: Sendable, Equatable, Encodable {
        public let name: String
        public let ok: Bool
        public let detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }

        enum CodingKeys: String, CodingKey {
            case ok, detail
        }
    }

    /// Every check, in a fixed order.
    public struct Report: Sendable, Equatable {
        public let checks: [Check]

        public var isReady: Bool { checks.allSatisfy(\.ok) }
        public var failing: [String] { checks.filter { !$0.ok }.map(\.name) }
    }

    let store: any GatewayStorage
    let policy: ActivePolicy
    let trust: TrustReloader
    let checkpointInterval: TimeInterval
    /// The gateway's time, by which agreements are in effect: the wall clock except under
    /// `accord demo --at`. Checkpoint ages and CRLs are always read on the wall clock.
    let gatewayNow: @Sendable () -> Date

    public func evaluate(at now: Date = Date()) async -> Report {
        let checkpoints: Check
        do { checkpoints = Self.checkpoints(try await store.checkpointStatus(), interval: checkpointInterval, now: now) } catch {
            checkpoints = Check(name: "checkpoints", ok: false, detail: "cannot read the checkpoints (\(error.code.rawValue))")
        }
        let auditKey: Check
        do { auditKey = Self.auditKey(inForce: try await store.auditKeyInForce(), signing: store.currentAuditVerifier?.verifierKey) } catch {
            auditKey = Check(name: "audit-key", ok: false, detail: "cannot read the audit key in force (\(error.code.rawValue))")
        }
        return Report(checks: [
            Self.database(await store.databaseHealth()),
            auditKey,
            Self.agreements(policy.current.policy.set, today: CalendarDate(gatewayNow())),
            checkpoints,
            Self.crls(await trust.current.crls, now: now),
        ])
    }

    static func database(_ health: DatabaseHealth) -> Check {
        Check(name: "database", ok: health.isWritable, detail: health.problem ?? "writable")
    }

    /// A node still holding an audit key that a rotation replaced signs no checkpoint and
    /// cannot take the checkpoint lease; it serves, but it is not what the operator deployed.
    static func auditKey(inForce: String?, signing: String?) -> Check {
        guard let inForce, let signing, inForce != signing else {
            return Check(name: "audit-key", ok: true, detail: signing == nil ? "this node does not sign" : "this node signs with the audit key in force")
        }
        return Check(name: "audit-key", ok: false,
                     detail: "this node's audit key was rotated away (the key in force is \(Self.keyHash(inForce))): install the new key as gateway/signing-key.pem; until then this node signs no checkpoint")
    }

    /// The key-hash part of a C2SP verifier key (`name+hash+key`), which names the key without its bytes.
    static func keyHash(_ verifierKey: String) -> String {
        let parts = verifierKey.split(separator: "+")
        return parts.count >= 3 ? String(parts[parts.count - 2]) : "another key"
    }

    /// The set in force must carry messages: with no agreement in effect every submission is refused.
    static func agreements(_ set: AgreementSet, today: CalendarDate) -> Check {
        let inEffect = set.agreements.filter { $0.isInEffect(on: today) }.count
        return Check(name: "agreements", ok: inEffect > 0,
                     detail: "\(inEffect) of \(set.agreements.count) agreements in the active set in effect today")
    }

    /// The writer signs a checkpoint at least every interval while leaves wait for one; twice
    /// that without one means it has stopped signing (or writing).
    static func checkpoints(_ status: CheckpointStatus, interval: TimeInterval, now: Date) -> Check {
        let age = status.age(at: now)
        let waiting = status.leaves - min(status.leaves, status.checkpointedLeaves)
        guard waiting > 0 else {
            return Check(name: "checkpoints", ok: true, detail: "every leaf is covered by a checkpoint")
        }
        return Check(name: "checkpoints", ok: age < 2 * interval,
                     detail: "\(waiting) leaves waiting \(Int(age)) s for a checkpoint (at most \(Int(2 * interval)) s)")
    }

    /// A CRL past its nextUpdate refuses its CA's certificates (or, with `use-last`, stops
    /// catching new revocations): either way someone must publish a fresh one. A CRL without a
    /// nextUpdate never lapses, as OpenSSL treats it.
    static func crls(_ lists: [TrustState.RevocationList], now: Date) -> Check {
        let lapsed = lists.filter { ($0.nextUpdate ?? .distantFuture) <= now }.count
        guard lapsed == 0 else {
            return Check(name: "crls", ok: false, detail: "\(lapsed) of \(lists.count) CRLs past their nextUpdate: publish fresh ones")
        }
        return Check(name: "crls", ok: true, detail: "\(lists.count) CRLs, none past its nextUpdate")
    }
}
