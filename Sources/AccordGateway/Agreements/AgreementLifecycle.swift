import AccordCore
import AccordAudit
import AccordPolicy
import AccordStore
import Foundation
import Logging

extension Gateway {
    /// Brings the audit log and the deliveries up to date with the agreements in force as of
    /// now: run after every activation, at start and once a minute, since an agreement goes
    /// out of force at midnight after its `valid_until` without anyone activating anything.
    public func reconcileAgreements() async {
        _ = try? await activations.run { () async throws(GatewayProblem) in
            await self.agreementsChanged(at: self.now(), previous: nil)
        }
    }

    /// Runs inside the activation queue, so two runs never both record the same lapse.
    /// `previous`: the set in force before an activation, whose deliveries are re-checked.
    func agreementsChanged(at time: Date, previous: AgreementSet?) async {
        let lapsed = await recordLapses(at: time)
        await reconcileDeliveries(previous: previous, lapsed: lapsed, at: time)
    }

    /// `agreement.expired`, once per agreement version: an active agreement past its
    /// `valid_until` is out of force, and the log says from when, without the set being
    /// invalid or anyone having to change its status.
    /// Returns the agreements whose lapse it recorded now.
    private func recordLapses(at time: Date) async -> [AgreementID] {
        var lapsed: [AgreementID] = []
        let today = CalendarDate(time)
        for agreement in policy.current.policy.set.agreements where agreement.status == .active && agreement.validUntil < today {
            let recorded: [AuditLeaf]
            do { recorded = try await store.query(AuditQuery(agreementID: agreement.id, events: [.agreementExpired])) } catch {
                logger.error("cannot read the audit log to record a lapsed agreement", metadata: ["error": "\(error.code.rawValue)"])
                return lapsed
            }
            guard !recorded.contains(where: { $0.record.agreement?.versionDigest == agreement.digest }) else { continue }
            let record = AuditRecord(
                event: .agreementExpired, time: time, actor: "gateway",
                agreement: AgreementReference(id: agreement.id, versionDigest: agreement.digest), reason: "valid-until-passed",
                details: ["valid_until": agreement.validUntil.description])
            do { _ = try await store.append([record]) } catch {
                logger.error("cannot record a lapsed agreement", metadata: ["agreement": "\(agreement.id)", "error": "\(error.code.rawValue)"])
                return lapsed
            }
            lapsed.append(agreement.id)
            logger.notice("agreement out of force: past its valid_until", metadata: ["agreement": "\(agreement.id)", "valid_until": "\(agreement.validUntil)"])
        }
        return lapsed
    }
}
