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
        let day = try options.day()
        let set = try AgreementsIO.load(directory, on: day)
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
