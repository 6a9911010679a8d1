import AccordAudit
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordServer
import AccordStore
import ArgumentParser
import Foundation

/// `accord certificates`: the running gateway's trust.
struct CertificatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificates",
        abstract: "Work with the trust of a running gateway: CAs, CRLs, the TLS certificate.",
        subcommands: [ReloadCertificates.self]
    )
}

/// `accord certificates reload`: validates the certificates directory against the registry,
/// then has the running gateway reload it (SIGHUP) and waits until the audit log records the
/// outcome (`trust.reloaded` or `trust.rejected`).
struct ReloadCertificates: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Validate the trust anchors, CRLs and TLS certificate, and make the running gateway use them, without a restart."
    )

    @OptionGroup var gateway: GatewayOptions

    @Option(help: "Seconds to wait for the gateway to record the reload.")
    var timeout = 15

    func run() async throws {
        let configuration = try gateway.load(onPostgres: DatabaseLocation.OnPostgres.reloadTrust)
        let set = try AgreementsIO.load(configuration.agreementsDirectory, on: CalendarDate(Date()))
        let checked: TrustCheck.Outcome
        do { checked = try TrustCheck.check(configuration, set: set) } catch {
            throw ValidationError("\(error)")
        }
        // The gateway keeps pushing with what it has where these files would not do: it rejects
        // the reload only for an endpoint it pushes to now, so this is a warning here.
        var stderr = StandardError()
        for problem in checked.pushProblems { print("warning: push: \(problem)", to: &stderr) }
        let expected = checked.digest
        let summary = "\(checked.anchors) CA(s), \(checked.revocationLists) CRL(s), trust \(expected.prefix(16))"
        guard let running = RunningGateway(configuration) else {
            print("valid: \(summary)")
            print("no gateway is running for \(configuration.database); 'accord serve' loads this trust when it starts")
            return
        }
        let store = try SQLiteStore.open(path: configuration.database, configuration: StoreConfiguration(origin: configuration.auditOrigin, signer: nil))
        let latest = try await store.query(AuditQuery(events: [.gatewayStarted, .trustReloaded])).last
        if latest?.record.details["trust_sha256"] == expected {
            print("unchanged: the gateway already uses this trust (\(summary))")
            return
        }
        let outcome = try await running.reload(timeout: timeout, events: [.trustReloaded, .trustRejected]) { leaf in
            if leaf.record.event == .trustRejected {
                throw ValidationError("the gateway rejected the trust (see its log); the trust in force is unchanged")
            }
            return leaf.record.details["trust_sha256"] == expected
        }
        guard let reloaded = outcome else {
            throw ValidationError("the gateway did not record the reload within \(timeout) s; check its log")
        }
        print("reloaded: \(summary), audit leaf \(reloaded.index)")
    }
}
