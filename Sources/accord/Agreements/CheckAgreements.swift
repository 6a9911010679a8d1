import AccordGateway
import AccordPolicy
import ArgumentParser

/// `accord agreements check [dir]`: every validation problem, or a summary of what would load.
struct CheckAgreements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an agreements directory; print every problem as file:line:column: message and exit 1."
    )

    @Argument(help: "The agreements directory.")
    var directory: String = "Agreements"

    @OptionGroup var options: AgreementDateOption

    @Option(help: "Also check each agency's CA (ca: in agencies.yaml) and the operator CA in this certificates directory.")
    var certificates: String?

    @Option(help: "The operator CA, a file under --certificates.")
    var operatorCA = RegistryTrust.defaultCA

    func run() throws {
        let day = try options.day()
        let set = try AgreementsIO.load(directory, on: day)
        if let certificates {
            do { _ = try RegistryTrust.load(certificatesDirectory: certificates, agencies: set.agencies.values, operatorCA: operatorCA) } catch {
                var stderr = StandardError()
                for problem in error.problems { print(problem, to: &stderr) }
                print("error: the registry's CAs do not load from \(certificates)", to: &stderr)
                throw ExitCode.failure
            }
        }
        let flows = set.agreements.reduce(0) { $0 + $1.flows.count }
        let active = set.agreements.filter { $0.status == .active }.count
        print("ok: \(set.agreements.count) agreements (\(active) active), \(flows) flows, \(set.schemas.count) message types, "
              + "\(set.agencies.count) agencies")
        // Not a problem (the set loads, and the agreement is simply out of force), but worth
        // the administrator's attention at the next review.
        for agreement in set.agreements where agreement.status == .active && agreement.validUntil < day {
            print("note: '\(agreement.id)' is active but ran out on \(agreement.validUntil): out of force; set its status to expired or renew it")
        }
    }
}
