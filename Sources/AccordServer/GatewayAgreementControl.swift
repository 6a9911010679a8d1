import AccordConsole
import AccordGateway
import AccordPolicy
import Foundation

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

    /// The file an agreement was loaded from, or `<id>.yaml` in the directory.
    private func agreementFile(_ id: String) -> URL? {
        if let loaded = gateway.policy.current.policy.set.agreement(id: id)?.file {
            let named = URL(fileURLWithPath: loaded).lastPathComponent
            let candidate = directory.appendingPathComponent(named)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        let fallback = directory.appendingPathComponent("\(id).yaml")
        return FileManager.default.fileExists(atPath: fallback.path) ? fallback : nil
    }
}
