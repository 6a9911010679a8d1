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

    func run() throws {
        let set = try AgreementsIO.load(directory, on: try options.day())
        let flows = set.agreements.reduce(0) { $0 + $1.flows.count }
        let active = set.agreements.filter { $0.status == .active }.count
        print("ok: \(set.agreements.count) agreements (\(active) active), \(flows) flows, \(set.schemas.count) message types, "
              + "\(set.agencies.count) agencies")
    }
}
