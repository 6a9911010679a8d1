import AccordAudit
import AccordGateway
import AccordPolicy
import AccordStore
import ArgumentParser
import Foundation

/// `accord agreements activate`: validates the agreements directory, then has the running
/// gateway activate it (SIGHUP) and waits until the store records the new set.
struct ActivateAgreements: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Validate the agreements and make the running gateway activate them, without interrupting traffic."
    )

    @OptionGroup var gateway: GatewayOptions

    @Option(help: "Seconds to wait for the gateway to record the activation.")
    var timeout = 15

    func run() async throws {
        let configuration = try gateway.load()
        let set = try AgreementsIO.load(configuration.agreementsDirectory, on: CalendarDate(Date()))
        let digest = ActivePolicy(set).current.setDigest
        let pidFile = PIDFile(database: configuration.database)
        guard let pid = pidFile.runningProcess() else {
            print("valid: \(set.agreements.count) agreements, set digest \(digest)")
            print("no gateway is running for \(configuration.database); 'accord serve' activates this set when it starts")
            return
        }
        let store = try SQLiteStore.open(path: configuration.database, configuration: StoreConfiguration(origin: configuration.auditOrigin, signer: nil))
        if try await store.latestAgreementSetDigest() == digest {
            print("unchanged: the gateway already has set \(digest) active")
            return
        }
        let started = Date()
        guard kill(pid, SIGHUP) == 0 else {
            throw ValidationError("cannot signal the gateway (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        let deadline = started.addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            if try await store.latestAgreementSetDigest() == digest, let latest = try await store.agreementSets().last {
                print("activated: set \(digest) is version \(latest.version), \(set.agreements.count) agreements, audit leaf \(latest.auditLeaf.map(String.init) ?? "-")")
                return
            }
            let rejected = try await store.query(AuditQuery(since: started, events: [.agreementsRejected], limit: 1))
            if !rejected.isEmpty {
                throw ValidationError("the gateway rejected the set (see its log); the active set is unchanged")
            }
        }
        throw ValidationError("the gateway did not record the activation within \(timeout) s; check its log")
    }
}
