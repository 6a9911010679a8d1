import AccordCore
import AccordPolicy
import ArgumentParser
import Foundation

/// `accord agreements test [dir]`: runs the scenario files in `<dir>/tests/`.
struct TestAgreements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the scenarios in <dir>/tests/*.yaml (message, recipient, expected decision) against the agreements."
    )

    @Argument(help: "The agreements directory.")
    var directory: String = "Agreements"

    @Flag(name: .shortAndLong, help: "Print passing scenarios too.")
    var verbose = false

    @OptionGroup var options: AgreementDateOption

    func run() throws {
        // Validated as of today (or --date); each scenario is then decided on its own date.
        let policy = CompiledPolicy(try AgreementsIO.load(directory, on: try options.day()))
        let testsDirectory = URL(fileURLWithPath: directory).appendingPathComponent("tests")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: testsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
        guard !names.isEmpty else {
            print("no scenario files in \(directory)/tests")
            throw ExitCode.failure
        }
        var passed = 0
        var failed = 0
        for name in names {
            let path = "\(directory)/tests/\(name)"
            guard let data = FileManager.default.contents(atPath: testsDirectory.appendingPathComponent(name).path) else {
                print("\(path): cannot be read")
                failed += 1
                continue
            }
            let scenarios: [Scenario]
            do {
                scenarios = try Scenario.load(AgreementSources.File(path: path, bytes: Array(data)))
            } catch {
                AgreementsIO.printError(error)
                failed += 1
                continue
            }
            for scenario in scenarios {
                let decision = policy.evaluate(scenario.routing, claimPaths: scenario.claimPaths, for: scenario.recipient, on: scenario.date)
                let mismatches = scenario.mismatches(decision)
                if mismatches.isEmpty {
                    passed += 1
                    if verbose { print("pass  \(scenario.location): \(scenario.name)") }
                } else {
                    failed += 1
                    print("FAIL  \(scenario.location): \(scenario.name)")
                    for mismatch in mismatches { print("      \(mismatch)") }
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode.failure }
    }
}
