import AccordGateway
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import ArgumentParser
import Foundation

/// `accord agreements check [dir]`: every validation problem, or a summary of what would load;
/// then the proof of each property in `<dir>/properties.yaml`, with every counterexample.
struct CheckAgreements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate an agreements directory and prove its properties; print every problem as file:line:column: message and exit 1."
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
        let sources = try AgreementSources.read(directory: URL(fileURLWithPath: directory), hashing: SHA256.Hasher.self)
        let policy = CompiledPolicy(set)
        let started = ContinuousClock.now
        let properties = PropertyCheck(sources.properties, over: policy)
        let elapsed = ContinuousClock.now - started
        let broken = properties.diagnostics
        if !broken.isEmpty {
            var stderr = StandardError()
            for diagnostic in broken { print(diagnostic.description, to: &stderr) }
            let count = properties.results.filter { !$0.holds }.count
            print("error: " + (properties.problems.isEmpty ? "\(count) propert\(count == 1 ? "y is" : "ies are") broken"
                                : "\(properties.problems.count) problem(s) in the properties file"), to: &stderr)
            throw ExitCode.failure
        }
        let flows = set.agreements.reduce(0) { $0 + $1.flows.count }
        let active = set.agreements.filter { $0.status == .active }.count
        print("ok: \(set.agreements.count) agreements (\(active) active), \(flows) flows, \(set.schemas.count) message types, "
              + "\(set.agencies.count) agencies")
        if sources.properties == nil {
            print("no properties.yaml: no property to prove")
        } else {
            let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            print("proved \(properties.results.count) properties over every flow and claim path in \(String(format: "%.1f", milliseconds)) ms:")
            for result in properties.results { print("  holds: \(result.property.name)") }
        }
        // Not a problem (the set loads, and the agreement is simply out of force), but worth
        // the administrator's attention at the next review.
        for agreement in set.agreements where agreement.status == .active && agreement.validUntil < day {
            print("note: '\(agreement.id)' is active but ran out on \(agreement.validUntil): out of force; set its status to expired or renew it")
        }
    }
}
