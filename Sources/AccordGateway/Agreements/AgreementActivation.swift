import AccordAudit
public import AccordPolicy
import AccordStore
public import Foundation
import Logging

/// The outcome of an activation attempt.
public enum ActivationOutcome: Sendable {
    /// The set is active; `version` is its row in the store.
    case activated(digest: String, version: Int64, agreements: Int)
    /// Nothing changed: the set on disk is the one already active.
    case unchanged(digest: String)
    /// The set failed validation and the active set stays; every problem with its location.
    case rejected([Diagnostic])
}

extension Gateway {
    /// Reads, validates and activates the agreements in `directory` without interrupting
    /// traffic: messages in flight decide against the set they started with. A set that fails
    /// validation never replaces the active one; both outcomes are audited.
    public func activateAgreements(from directory: URL, by actor: String) async throws(GatewayProblem) -> ActivationOutcome {
        try await activations.run { () async throws(GatewayProblem) -> ActivationOutcome in
            try await self.activateNow(from: directory, by: actor)
        }
    }

    private func activateNow(from directory: URL, by actor: String) async throws(GatewayProblem) -> ActivationOutcome {
        let time = now()
        let sources: AgreementSources
        do { sources = try AgreementSources.read(directory: directory) } catch {
            return await rejected(error.diagnostics, reason: error.reason, actor: actor, time: time)
        }
        let (set, diagnostics) = AgreementSet.validate(sources, today: CalendarDate(time))
        guard let set else {
            return await rejected(diagnostics, reason: "validation failed", actor: actor, time: time)
        }
        let previous = policy.current
        let candidate = ActivePolicy(set).current.setDigest
        if candidate == previous.setDigest, (try? await store.latestAgreementSetDigest()) == candidate {
            return .unchanged(digest: candidate)
        }
        let content = AgreementSetArchive.bytes(sources)
        let record = AuditRecord(
            event: .agreementsActivated, time: time, actor: actor, reason: nil,
            details: ["set_digest": candidate, "previous_digest": previous.setDigest, "agreements": String(set.agreements.count),
                      "agreement_ids": set.agreements.map(\.id).joined(separator: ",")])
        do {
            let stored = try await store.activateAgreementSet(AgreementSetActivation(
                digest: candidate, content: content, activatedBy: actor, activatedAt: time, audit: [record]))
            policy.activate(set)
            logger.notice("agreements activated", metadata: ["digest": "\(candidate)", "version": "\(stored.version)", "by": "\(actor)"])
            return .activated(digest: candidate, version: stored.version, agreements: set.agreements.count)
        } catch {
            throw .unavailable("the agreement set could not be recorded (\(error.code.rawValue)); the active set is unchanged")
        }
    }

    private func rejected(_ diagnostics: [Diagnostic], reason: String, actor: String, time: Date) async -> ActivationOutcome {
        let errors = diagnostics
        let record = AuditRecord(
            event: .agreementsRejected, time: time, actor: actor, reason: "invalid-agreements",
            details: ["errors": String(errors.count), "first": errors.first.map { "\($0.location)" } ?? reason])
        _ = try? await store.append([record])
        logger.warning("agreement set rejected; the active set stays", metadata: ["errors": "\(errors.count)", "by": "\(actor)"])
        return .rejected(errors)
    }
}

/// The bytes stored with an activated set: each file's path and content, so the exact set
/// in force at any time can be read back.
enum AgreementSetArchive {
    static func bytes(_ sources: AgreementSources) -> [UInt8] {
        var files = sources.schemas + sources.agreements
        if let agencies = sources.agencies { files.append(agencies) }
        if let purposes = sources.purposes { files.append(purposes) }
        var out: [UInt8] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            out += Array("--- \(file.path) \(file.bytes.count)\n".utf8) + file.bytes + [10]
        }
        return out
    }
}
