import AccordCrypto
import AccordAudit
import AccordGateway
import AccordPolicy
import AccordPolicyFiles
import AccordServer
import AccordStore
import ArgumentParser
import Foundation

/// `accord agreements activate`: validates the agreements directory, then has the running
/// gateway activate it (SIGHUP) and waits until the store records the new set. With
/// `--digest`, only the version reviewed (the files digest `accord agreements diff` printed)
/// is activated: files changed since are refused, here or by the gateway, with what they
/// would now change.
struct ActivateAgreements: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Validate the agreements and make the running gateway activate them, without interrupting traffic."
    )

    @OptionGroup var gateway: GatewayOptions

    @Option(help: "Seconds to wait for the gateway to record the activation.")
    var timeout = 15

    @Option(help: "The files digest of the version reviewed (printed by 'accord agreements diff'); nothing else is activated.")
    var digest: String?

    func run() async throws {
        let configuration = try gateway.load(onPostgres: DatabaseLocation.OnPostgres.activate)
        let directory = URL(fileURLWithPath: configuration.agreementsDirectory)
        let set = try AgreementsIO.load(configuration.agreementsDirectory, on: CalendarDate(Date()))
        let sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self)
        let files = sources.filesDigest
        // Refused here with every counterexample; the gateway would refuse it too.
        let broken = PropertyCheck(sources, set: set).diagnostics
        if !broken.isEmpty {
            var stderr = StandardError()
            for diagnostic in broken { print(diagnostic.description, to: &stderr) }
            print("error: the set breaks its properties (properties.yaml); nothing was activated", to: &stderr)
            throw ExitCode.failure
        }
        let setDigest = ActivePolicy(set).current.setDigest
        let pidFile = PIDFile(database: configuration.database)
        let store = try SQLiteStore.open(path: configuration.database, configuration: StoreConfiguration(origin: configuration.auditOrigin, signer: nil))
        if let digest, digest != files {
            try await printChangedSinceReview(set, files: files, store: store)
            throw ExitCode.failure
        }
        guard let pid = pidFile.runningProcess() else {
            print("valid: \(set.agreements.count) agreements, set digest \(setDigest), files digest \(files)")
            print("no gateway is running for \(configuration.database); 'accord serve' activates this set when it starts on a database that has none")
            return
        }
        if try await store.latestAgreementSetDigest() == setDigest {
            print("unchanged: the gateway already has set \(setDigest) active")
            return
        }
        let started = Date()
        // The gateway activates these very files or nothing, even if they change after this check.
        let request = ActivationRequest(database: configuration.database)
        try request.write(reviewed: files)
        guard kill(pid, SIGHUP) == 0 else {
            _ = request.take()
            throw ValidationError("cannot signal the gateway (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        let deadline = started.addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            if try await store.latestAgreementSetDigest() == setDigest, let latest = try await store.agreementSets().last {
                print("activated: set \(setDigest) is version \(latest.version), \(set.agreements.count) agreements, audit leaf \(latest.auditLeaf.map(String.init) ?? "-")")
                return
            }
            let rejected = try await store.query(AuditQuery(since: started, events: [.agreementsRejected], limit: 1))
            if let refusal = rejected.first {
                if refusal.record.reason == "changed-since-review" {
                    throw ValidationError("the files changed after they were checked; nothing was activated. Review them again ('accord agreements diff')")
                }
                throw ValidationError("the gateway rejected the set (see its log); the active set is unchanged")
            }
        }
        throw ValidationError("the gateway did not record the activation within \(timeout) s; check its log")
    }

    private func printChangedSinceReview(_ proposed: AgreementSet, files: String, store: SQLiteStore) async throws {
        var stderr = StandardError()
        print("the agreement files changed since they were reviewed: they are now \(files); nothing was activated", to: &stderr)
        guard let stored = try await store.latestAgreementSet(), let active = AgreementSetArchive.sources(stored.content),
              let activeSet = AgreementSet.validate(active, today: CalendarDate(Date())).0 else { return }
        let day = CalendarDate(Date())
        let changes = PolicyDiff(old: activeSet, new: proposed, on: day).changes
        print("what activating them would change on \(day):", to: &stderr)
        if changes.isEmpty { print("no change in what may be sent", to: &stderr) }
        for change in changes { print(change.description, to: &stderr) }
    }
}
