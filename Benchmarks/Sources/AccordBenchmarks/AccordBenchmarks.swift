import ArgumentParser

/// `swift run -c release AccordBenchmarks <area>`: printed figures for each performance
/// target of the project. Figures, never pass/fail: targets are judged by people.
@main
struct AccordBenchmarks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "AccordBenchmarks",
        abstract: "Measure Accord's components and print the figures.",
        subcommands: [CryptoBenchmark.self, PolicyBenchmark.self, AuditBenchmark.self, ProofBenchmark.self, MessagesBenchmark.self, FlowsBenchmark.self]
    )
}
