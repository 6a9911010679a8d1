import AccordCore
import AccordPolicy
import ArgumentParser
import Foundation

/// `accord agreements explain --message m.json --to <agency>`: the decision for one recipient
/// and the reason for it, claim by claim. Prints claim paths, never claim values.
struct ExplainDecision: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain the decision for one message and one recipient: agreement, flow, and the rule for each claim."
    )

    @Option(name: .long, help: "A JSON message: 'iss', an 'accord' object (type, to, purpose, classification, optional agreement and case_ref) and the claims.")
    var message: String

    @Option(name: .long, help: "The recipient agency id.")
    var to: String

    @Option(name: .long, help: "The agreements directory.")
    var dir: String = "Agreements"

    @OptionGroup var options: AgreementDateOption

    func run() throws {
        let day = try options.day()
        let set = try AgreementsIO.load(dir, on: day)
        guard let data = FileManager.default.contents(atPath: message) else {
            throw ValidationError("\(message): cannot be read")
        }
        let read: (routing: RoutingClaims, claimPaths: [String])
        do {
            read = try MessageJSON.read(data)
        } catch {
            throw ValidationError("\(message): \(error.reason)")
        }
        let explanation = ReferenceEvaluator(set: set).explain(read.routing, claimPaths: read.claimPaths, for: AgencyID(to), on: day)
        for line in explanation.lines(in: set) { print(line) }
    }
}
