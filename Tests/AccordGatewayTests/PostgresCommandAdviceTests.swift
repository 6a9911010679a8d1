import AccordTestSupport
import Foundation
import Testing

/// The commands that reach a gateway through its SQLite file refuse a PostgreSQL database
/// before touching anything, and say what does their work on several nodes instead.
@Suite struct PostgresCommandAdviceTests {
    static let url = "postgresql://accord@127.0.0.1:1/accord"

    @Test func activateReloadAndBackupSayWhatToDoOnPostgreSQL() async throws {
        let served = try ServedGateway("postgres-advice")
        defer { served.remove() }
        let config = served.directory.appendingPathComponent("accord-postgres.yaml")
        try String(contentsOf: served.config, encoding: .utf8).replacingOccurrences(of: served.database, with: Self.url)
            .write(to: config, atomically: true, encoding: .utf8)
        let before = try FileManager.default.contentsOfDirectory(atPath: served.directory.path).sorted()

        let cases: [(arguments: [String], advice: String)] = [
            (["agreements", "activate", "--config", config.path], "activate on one node with SIGHUP"),
            (["certificates", "reload", "--config", config.path], "send SIGHUP to each node"),
            (["backup", "--db", Self.url, "--to", served.directory.appendingPathComponent("copy.sqlite").path], "pg_dump"),
        ]
        for (arguments, advice) in cases {
            let output = try await ExternalProcess.run(served.accord, arguments)
            #expect(output.status != 0, "\(arguments[0]) \(arguments[1]) succeeded on a PostgreSQL URL")
            #expect(output.standardError.contains("works on a SQLite database only; the database given is a PostgreSQL URL. On PostgreSQL, ")
                    && output.standardError.contains(advice), "\(arguments.prefix(2)): \(output.standardError)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: served.directory.path).sorted() == before, "a refused command left files behind")
    }
}
