import AccordConsole
import AccordGateway
import AccordPolicy
import Foundation

/// The console's review of held deliveries, carried out by the gateway.
struct GatewayHeldReview: HeldReview {
    let gateway: Gateway

    func review(deliveryID: String, release: Bool, by actor: String) async throws -> Bool {
        let problem: GatewayProblem
        do {
            _ = try await gateway.review(deliveryID: deliveryID, release: release, by: actor)
            return true
        } catch {
            problem = error
        }
        if problem.code == "not-held" || problem.code == "not-found" { return false }
        if problem.code == "agreement-not-in-force" { throw HeldReleaseRefused(detail: problem.detail) }
        throw problem
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
        do {
            result = outcome(try await gateway.changeAgreement(agreementID, by: actor) { AgreementFileEdit.settingStatus(status, in: $0) })
        } catch {
            return .failed(error.detail)
        }
        guard case .activated = result else { return result }
        // The directory says so too, with any edits saved there kept, so that activating it
        // later does not undo the change unseen.
        if let file = agreementFile(agreementID), let text = try? String(contentsOf: file, encoding: .utf8),
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
