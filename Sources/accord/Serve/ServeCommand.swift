import AccordGateway
import AccordServer
import AccordStore
import ArgumentParser
import Foundation
import Logging

/// `accord serve`: runs the gateway until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the gateway: the agency API over mutual TLS, the audit log, agreement reloads on SIGHUP.",
        discussion: """
            Settings come from the configuration file (default: accord.yaml in the working directory, if present), \
            then from ACCORD_* environment variables, then from these options. See docs/operations.md.
            """
    )

    @OptionGroup var options: GatewayOptions

    func run() async throws {
        SignalMask.unblockControlSignals()
        let configuration = try options.load(allowingPostgres: true)
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        switch configuration.logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "accord")
        let server: GatewayServer
        do { server = try await GatewayServer.open(configuration: configuration, logger: logger) } catch {
            var stderr = StandardError()
            print("error: \(error)", to: &stderr)
            throw ExitCode.failure
        }
        // The pid file is how commands on this machine reach the gateway of a SQLite file; nodes
        // on PostgreSQL are reached through their APIs.
        let pidFile = PostgresStore.isURL(configuration.database) ? nil : PIDFile(database: configuration.database)
        pidFile?.write()
        defer { pidFile?.remove() }
        try await server.run()
    }
}

/// The options shared by commands that read the gateway's configuration.
struct GatewayOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (YAML).")
    var config: String?

    @Option(name: .long, help: "Listen for agencies on host:port (overrides the file and ACCORD_LISTEN).")
    var listen: String?

    @Option(name: .long, help: "The database: a SQLite file, or a postgres:// URL (overrides the file and ACCORD_DATABASE).")
    var database: String?

    /// The configuration; a PostgreSQL database is refused unless the command works on it.
    func load(allowingPostgres: Bool = false, onPostgres instead: String? = nil) throws -> GatewayConfiguration {
        let file = config ?? (FileManager.default.fileExists(atPath: "accord.yaml") ? "accord.yaml" : nil)
        var configuration: GatewayConfiguration
        do { configuration = try GatewayConfiguration.load(file: file) } catch {
            throw ValidationError(error.description)
        }
        if let listen {
            guard let address = GatewayConfiguration.Address(parsing: listen) else { throw ValidationError("--listen takes host:port") }
            configuration.listen = address
        }
        if let database { configuration.database = database }
        // The other commands that load the gateway's configuration reach the gateway serving it
        // through `<database>.pid`, on a SQLite file only.
        if !allowingPostgres { try DatabaseLocation(configuration.database).requireSQLite("This command", instead: instead) }
        return configuration
    }
}

/// `<database>.pid`: how `accord agreements activate` finds the running gateway.
struct PIDFile {
    let path: String

    init(database: String) { path = database + ".pid" }

    func write() {
        try? "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The running gateway's pid, if the file names a live process.
    func runningProcess() -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 else { return nil }
        return pid
    }
}

/// A process started by some parents (Foundation's `Process` among them) inherits a mask
/// blocking signals; the gateway must still hear SIGTERM, SIGINT and SIGHUP.
enum SignalMask {
    static func unblockControlSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
