import AccordCore
public import AccordConsole
import AccordCrypto
public import AccordGateway
public import AccordPolicy
import AccordPolicyFiles
public import Foundation

/// The console's agreement changes, made through the gateway: validated, audited with the
/// operator as actor, stored, and swapped in without interrupting traffic. Public so that
/// the console's tests drive the control `accord serve` mounts, not a stand-in.
public struct GatewayAgreementControl: AgreementControl {
    let gateway: Gateway
    let directory: URL

    /// `directory` is the agreements directory the console edits and activates from.
    public init(gateway: Gateway, directory: URL) {
        self.gateway = gateway
        self.directory = directory
    }

    public var active: ActivePolicy.Snapshot { gateway.policy.current }

    public func activate(reviewed: String, by actor: String) async -> AccordConsole.ActivationOutcome {
        do {
            return outcome(try await gateway.activateAgreements(from: directory, reviewed: reviewed, by: actor))
        } catch {
            return .failed(error.detail)
        }
    }

    public func setStatus(_ status: AgreementStatus, agreementID: String, reviewed: String?, by actor: String) async -> AccordConsole.ActivationOutcome {
        let result: AccordConsole.ActivationOutcome
        let file: URL?
        // The directory is read once: the version checked against the review is the version
        // a draft is taken from, whatever is saved meanwhile.
        let sources = try? AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self)
        if status == .active {
            guard let reviewed else { return .failed("making an agreement active needs the reviewed version of the files") }
            guard let sources else { return .failed("the agreements directory cannot be read") }
            if sources.filesDigest != reviewed { return .changedSinceReview(filesDigest: sources.filesDigest) }
        }
        do {
            if gateway.policy.current.policy.set.agreement(id: AgreementID(agreementID)) != nil {
                result = outcome(try await gateway.changeAgreement(agreementID, by: actor) { AgreementFileEdit.settingStatus(status, in: $0) })
                file = agreementFile(agreementID)
            } else if status == .active, let draft = sources.flatMap({ draftFile(agreementID, in: $0) }) {
                // A draft saved in the editor and never activated: the set in force gains
                // that one file, made active, and nothing else from the directory.
                guard let changed = AgreementFileEdit.settingStatus(.active, in: draft.text) else {
                    return .failed("\(draft.url.lastPathComponent) has no single top-level status line to change")
                }
                result = outcome(try await gateway.addAgreement(agreementID, fileName: draft.url.lastPathComponent, text: changed, by: actor))
                file = draft.url
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
    /// it, with its text as `sources` read it; only bare `.yaml` names, never the registry or
    /// the purposes.
    private func draftFile(_ id: String, in sources: AgreementSources) -> (url: URL, text: String)? {
        sources.agreements.sorted { $0.path < $1.path }.lazy
            .map { file in (name: URL(fileURLWithPath: file.path).lastPathComponent, text: String(decoding: file.bytes, as: UTF8.self)) }
            .filter { $0.name.hasSuffix(".yaml") && !$0.name.hasPrefix(".") && $0.name != "agencies.yaml" && $0.name != "purposes.yaml" }
            .first { AgreementFileEdit.value(of: "id", in: $0.text) == id }
            .map { (directory.appendingPathComponent($0.name), $0.text) }
    }

    /// The file an agreement of the active set was loaded from, within the directory. Only
    /// loaded agreements can be changed, so a form field can never name another file.
    private func agreementFile(_ id: String) -> URL? {
        guard let loaded = gateway.policy.current.policy.set.agreement(id: AgreementID(id))?.file else { return nil }
        let named = URL(fileURLWithPath: loaded).lastPathComponent
        guard named.hasSuffix(".yaml") || named.hasSuffix(".yml"), !named.hasPrefix(".") else { return nil }
        let candidate = directory.appendingPathComponent(named)
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }
}
