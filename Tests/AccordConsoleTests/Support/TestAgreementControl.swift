import AccordCrypto
import AccordAudit
import AccordConsole
import AccordPolicy
import AccordPolicyFiles
import AccordStore
import Foundation
import HTTPTypes

/// The gateway's side of agreement changes, as the tests need it: an `ActivePolicy` over a
/// directory, writing the audit record the gateway's implementation writes. It stands in for
/// `GatewayAgreementControl` (internal to AccordServer) only because this bundle has no
/// gateway, and it is more lenient than the real one was (it passed "Make active" on a draft
/// the real control refused): every change the console asks of it is also tested against the
/// running gateway in AccordGatewayTests (`AgreementLifecycleTests`).
final class TestAgreementControl: AgreementControl {
    let policy: ActivePolicy
    let directory: URL
    let store: any AccordStorage
    let now: @Sendable () -> Date

    init(directory: URL, store: any AccordStorage, now: @escaping @Sendable () -> Date) throws {
        self.directory = directory
        self.store = store
        self.now = now
        self.policy = try ActivePolicy(directory: directory, today: CalendarDate(now()), hashing: SHA256.Hasher.self)
    }

    var active: ActivePolicy.Snapshot { policy.current }

    func activate(reviewed: String, by actor: String) async -> ActivationOutcome {
        if let files = try? AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self), files.filesDigest != reviewed {
            _ = try? await store.append([AuditRecord(event: .agreementsRejected, time: now(), actor: actor, reason: "changed-since-review")])
            return .changedSinceReview(filesDigest: files.filesDigest)
        }
        return await activate(by: actor)
    }

    private func activate(by actor: String) async -> ActivationOutcome {
        do {
            let snapshot = try policy.activate(AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self), today: CalendarDate(now()))
            _ = try? await store.append([AuditRecord(event: .agreementsActivated, time: now(), actor: actor,
                                                     details: ["set_digest": snapshot.setDigest, "generation": String(snapshot.generation)])])
            return .activated(setDigest: snapshot.setDigest, generation: snapshot.generation)
        } catch {
            _ = try? await store.append([AuditRecord(event: .agreementsRejected, time: now(), actor: actor,
                                                     reason: error.code.rawValue, details: ["problems": String(error.diagnostics.count)])])
            return error.diagnostics.isEmpty ? .failed(error.description) : .rejected(error.diagnostics)
        }
    }

    func setStatus(_ status: AgreementStatus, agreementID: String, by actor: String) async -> ActivationOutcome {
        let file = directory.appendingPathComponent("\(agreementID).yaml")
        guard let original = try? String(contentsOf: file, encoding: .utf8),
              let changed = AgreementFileEdit.settingStatus(status, in: original) else {
            return .failed("no agreement file \(agreementID).yaml with a status line")
        }
        do { try changed.write(to: file, atomically: true, encoding: .utf8) } catch { return .failed("cannot write \(file.path)") }
        let outcome = await activate(by: actor)
        if case .activated = outcome { return outcome }
        try? original.write(to: file, atomically: true, encoding: .utf8)
        return outcome
    }
}
