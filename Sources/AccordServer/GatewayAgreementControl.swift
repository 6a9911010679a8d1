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
        throw problem
    }
}

/// The console's agreement changes, made through the gateway: validated, audited with the
/// operator as actor, stored, and swapped in without interrupting traffic.
struct GatewayAgreementControl: AgreementControl {
    let gateway: Gateway
    let directory: URL

    var active: ActivePolicy.Snapshot { gateway.policy.current }

    func activate(by actor: String) async -> AccordConsole.ActivationOutcome {
        do {
            switch try await gateway.activateAgreements(from: directory, by: actor) {
            case .activated(let digest, _, _), .unchanged(let digest):
                return .activated(setDigest: digest, generation: gateway.policy.current.generation)
            case .rejected(let diagnostics):
                return .rejected(diagnostics)
            }
        } catch {
            return .failed(error.detail)
        }
    }

    func setStatus(_ status: AgreementStatus, agreementID: String, by actor: String) async -> AccordConsole.ActivationOutcome {
        guard let file = agreementFile(agreementID),
              let original = try? String(contentsOf: file, encoding: .utf8),
              let changed = AgreementFileEdit.settingStatus(status, in: original) else {
            return .failed("no agreement file for '\(agreementID)' with a status line")
        }
        do { try changed.write(to: file, atomically: true, encoding: .utf8) } catch {
            return .failed("cannot write \(file.lastPathComponent)")
        }
        let outcome = await activate(by: actor)
        if case .activated = outcome { return outcome }
        // The edit did not produce a valid set: put the file back as it was.
        try? original.write(to: file, atomically: true, encoding: .utf8)
        return outcome
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
