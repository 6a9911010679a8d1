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
        let routing = try MessageFile.read(message)
        let explanation = ReferenceEvaluator(set: set).explain(routing, for: to, on: day)
        for line in Self.render(explanation, set: set) { print(line) }
    }

    static func render(_ e: Explanation, set: AgreementSet) -> [String] {
        var lines: [String] = []
        switch e.decision {
        case .deny(let denial):
            lines.append("decision: deny (\(denial.code.rawValue))")
            lines.append("why: \(denial.explanation)")
        case .deliver(let d):
            lines.append("decision: deliver\(d.held ? ", held for a privacy officer's approval" : "")")
            if let agreement = set.agreement(id: d.agreementID) {
                lines.append("agreement: \(agreement.id) version \(agreement.version) - \(agreement.title)")
                lines.append("flow: \(d.flowNumber) at \(e.flowLocation.map(\.description) ?? agreement.file)")
                lines.append("version digest: sha256:\(d.agreementDigest)")
                lines.append("handling: \(d.handling.rawValue)")
                lines.append("legal basis:")
                for basis in agreement.legalBasis { lines.append("  \(basis.instrument) \(basis.provision)") }
            }
            lines.append("claims:")
            let width = e.claims.map(\.path.count).max() ?? 0
            for claim in e.claims {
                let verdict = claim.withheld.map { "withheld (\($0.rawValue))" } ?? "disclosed"
                let padded = claim.path.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  \(padded)  \(verdict.padding(toLength: 32, withPad: " ", startingAt: 0)) \(claim.rule)")
            }
        }
        return lines
    }
}
