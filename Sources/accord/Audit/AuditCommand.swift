import ArgumentParser

/// `accord audit …`: the privacy officer's tools over the audit log. They read the database
/// and never write to it, so they are safe to run beside a live gateway.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, prove, search and export the tamper-evident audit log.",
        subcommands: [VerifyCommand.self, ProveCommand.self, QueryCommand.self, ExportCommand.self, LoadTestCommand.self, MonitorCommand.self]
    )
}
