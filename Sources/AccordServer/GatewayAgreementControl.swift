import AccordConsole
import AccordGateway
import AccordPolicy
import Foundation

/// The console's review of held deliveries, carried out by the gateway.
struct GatewayHeldReview: HeldReview {
    let gateway: Gateway

    func review(deliveryID: String, release: Bool, by actor: String, reason: String?) async throws -> HeldReviewOutcome {
        do {
            switch try await gateway.decide(deliveryID: deliveryID, release: release, by: actor, reason: reason) {
            case .released, .rejected: return .decided
            case .approvalRecorded(_, let remaining): return .awaitingApprovals(remaining: remaining)
            }
        } catch {
            if error.code == "not-held" || error.code == "not-found" { return .notHeld }
            if ["agreement-not-in-force", "already-approved", "reason-required", "reason-too-long"].contains(error.code) {
                throw HeldReleaseRefused(detail: error.detail)
            }
            throw error
        }
    }

    func content(deliveryID: String, for actor: String) async throws -> HeldContent? {
        do {
            let content = try await gateway.reviewContent(deliveryID: deliveryID, for: actor)
            return HeldContent(values: content.values, withheld: content.withheld, approvedBy: content.approvedBy,
                               approvalsRequired: content.approvalsRequired)
        } catch {
            if error.code == "not-held" || error.code == "not-found" { return nil }
            throw error
        }
    }
}

/// The console's agreement changes, made through the gateway: validated, audited with the
/// operator as actor, stored, and swapped in without interrupting traffic.
struct GatewayAgreementControl: AgreementControl {
    let gateway: Gateway
    let directory: URL

    var active: ActivePolicy.Snapshot { gateway.policy.current }

    func activate(reviewed: String, by actor: String) async -> AccordConsole.ActivationOutcome {
        do {
            return outcome(try await gateway.activateAgreements(from: directory, reviewed: reviewed, by: actor))
        } catch {
            return .failed(error.detail)
        }
    }

    func setStatus(_ status: AgreementStatus, agreementID: String, by actor: String) async -> AccordConsole.ActivationOutcome {
        let result: AccordConsole.ActivationOutcome
        let file: URL?
        do {
            if gateway.policy.current.policy.set.agreement(id: agreementID) != nil {
                result = outcome(try await gateway.changeAgreement(agreementID, by: actor) { AgreementFileEdit.settingStatus(status, in: $0) })
                file = agreementFile(agreementID)
            } else if status == .active, let draft = draftFile(agreementID), let text = try? String(contentsOf: draft, encoding: .utf8) {
                // A draft saved in the editor and never activated: the set in force gains
                // that one file, made active, and nothing else from the directory.
                guard let changed = AgreementFileEdit.settingStatus(.active, in: text) else {
                    return .failed("\(draft.lastPathComponent) has no single top-level status line to change")
                }
                result = outcome(try await gateway.addAgreement(agreementID, fileName: draft.lastPathComponent, text: changed, by: actor))
                file = draft
            } else {
                return .failed("agreement '\(agreementID)' is neither in the set in force nor a draft in the agreements directory")
            }
        } catch {
            return .failed(error.detail)
        }
        guard case .activated = result else { return result }
        // The directory says so too, with any edits saved there kept, so that activating it
        // later does not undo the change unseen.
        if let file, let text = try? String(contentsOf: file, encoding: .utf8),
           let changed = AgreementFileEdit.settingStatus(status, in: text), changed != text {
            try? changed.write(to: file, atomically: true, encoding: .utf8)
        }
        return result
    }

    private func outcome(_ outcome: AccordGateway.ActivationOutcome) -> AccordConsole.ActivationOutcome {
        switch outcome {
        case .activated(let digest, _, _), .unchanged(let digest):
            .activated(setDigest: digest, generation: gateway.policy.current.generation)
        case .rejected(let diagnostics):
            .rejected(diagnostics)
        case .changedSinceReview(let filesDigest):
            .changedSinceReview(filesDigest: filesDigest)
        }
    }

    /// The file in the directory whose single top-level `id:` is `id`, as the editor writes
    /// it; only bare `.yaml` names, never the registry or the purposes.
    private func draftFile(_ id: String) -> URL? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().lazy
            .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") && $0 != "agencies.yaml" && $0 != "purposes.yaml" }
            .map { directory.appendingPathComponent($0) }
            .first { file in
                (try? String(contentsOf: file, encoding: .utf8)).flatMap { AgreementFileEdit.value(of: "id", in: $0) } == id
            }
    }

    /// The file an agreement of the active set was loaded from, within the directory. Only
    /// loaded agreements can be changed, so a form field can never name another file.
    private func agreementFile(_ id: String) -> URL? {
        guard let loaded = gateway.policy.current.policy.set.agreement(id: id)?.file else { return nil }
        let named = URL(fileURLWithPath: loaded).lastPathComponent
        guard named.hasSuffix(".yaml") || named.hasSuffix(".yml"), !named.hasPrefix(".") else { return nil }
        let candidate = directory.appendingPathComponent(named)
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }
}
