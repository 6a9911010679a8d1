import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import ArgumentParser
import Foundation

/// `accord agreements …`: the administrator's tools for writing and changing agreements.
struct AgreementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreements",
        abstract: "Check, explain, compare, test, replay and activate information-sharing agreements.",
        subcommands: [CheckAgreements.self, ExplainDecision.self, DiffAgreements.self, TestAgreements.self, ImpactAgreements.self,
                      ActivateAgreements.self, ImpactBenchCommand.self]
    )
}

/// The options every agreements command shares.
struct AgreementDateOption: ParsableArguments {
    @Option(name: .long, help: "Decide as on this day (YYYY-MM-DD, UTC); defaults to today.")
    var date: String?

    func day() throws -> CalendarDate {
        guard let date else { return CalendarDate(Date()) }
        guard let day = CalendarDate(date) else {
            throw ValidationError("--date must be a real date written YYYY-MM-DD")
        }
        return day
    }
}

enum AgreementsIO {
    /// Loads and validates a directory, printing every problem to standard error on failure.
    static func load(_ directory: String, on day: CalendarDate) throws -> AgreementSet {
        do {
            let sources = try AgreementSources.read(directory: URL(fileURLWithPath: directory), hashing: SHA256.Hasher.self)
            return try AgreementSet.load(sources, today: day)
        } catch {
            printError(error)
            throw ExitCode.failure
        }
    }

    static func printError(_ error: PolicyError) {
        var stderr = StandardError()
        for diagnostic in error.diagnostics { print(diagnostic.description, to: &stderr) }
        print("error: \(error.reason)", to: &stderr)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
