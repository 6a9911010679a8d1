import AccordServer
import ArgumentParser

/// The `accord` command line: the gateway, its development PKI, and the tools of each user group.
@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Accord, a secure information-sharing gateway for agencies working against people trafficking.",
        version: AccordVersion.current,
        subcommands: [
            DemoCommand.self, ServeCommand.self, SendCommand.self, InboxCommand.self, BenchCommand.self, PKICommand.self,
            AgreementsCommand.self, CertificatesCommand.self, KeysCommand.self, AuditCommand.self, AccountsCommand.self, BackupCommand.self,
            MigrateCommand.self, WitnessCommand.self,
        ]
    )

    static func main() async {
        await main(Array(ProcessArguments.current.dropFirst()))
    }
}
