import ArgumentParser

/// `accord pki`: the development public-key infrastructure.
struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Development certificates and keys (never for production).",
        subcommands: [PKIInitCommand.self]
    )
}
