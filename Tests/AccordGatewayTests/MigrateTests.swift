import AccordCrypto
import AccordGateway
import AccordServer
import AccordTestSupport
import Foundation
import Testing

/// `accord migrate` moves a gateway's SQLite database into PostgreSQL with its audit log
/// intact: `accord audit verify` names the same leaves and the same root on both.
@Suite(.needsPostgreSQLServer) struct MigrateTests {
    @Test func aMigratedLogVerifiesOnPostgreSQLWithTheSameRoot() async throws {
        let accord = PackageRoot.accordExecutable.path
        let directory = try PackageRoot.temporaryDirectory("migrate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("gateway.sqlite").path
        let signingKey = directory.appendingPathComponent("signing-key.pem").path
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            for _ in 0..<3 {
                let sent = try await ExternalProcess.run(accord, [
                    "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path,
                    "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                ])
                #expect(sent.status == 0, "\(sent.standardError)")
            }
            let backup = try await ExternalProcess.run(accord, ["backup", "--db", gateway.server.configuration.database, "--to", copy])
            #expect(backup.status == 0, "\(backup.standardError)")
            try FileManager.default.copyItem(atPath: gateway.pki.gatewaySigningKey.path, toPath: signingKey)
        }
        try await PostgresCluster.with { cluster in
            let migrated = try await ExternalProcess.run(accord, ["migrate", "--from", copy, "--to", cluster.url])
            #expect(migrated.status == 0, "\(migrated.standardOutput)\(migrated.standardError)")
            #expect(migrated.standardOutput.contains("3 messages"), "\(migrated.standardOutput)")

            let onSQLite = try await ExternalProcess.run(accord, ["audit", "verify", "--db", copy, "--key", signingKey])
            let onPostgres = try await ExternalProcess.run(accord, ["audit", "verify", "--db", cluster.url, "--key", signingKey])
            #expect(onSQLite.status == 0, "\(onSQLite.standardOutput)\(onSQLite.standardError)")
            #expect(onPostgres.status == 0, "\(onPostgres.standardOutput)\(onPostgres.standardError)")
            #expect(onPostgres.standardOutput.hasPrefix("verified: "), "\(onPostgres.standardOutput)")
            #expect(onPostgres.standardOutput == onSQLite.standardOutput, "the same leaves, checkpoints and root")

            let again = try await ExternalProcess.run(accord, ["migrate", "--from", copy, "--to", cluster.url])
            #expect(again.status != 0 && again.standardError.contains("empty database"), "\(again.standardError)")
            let backup = try await ExternalProcess.run(accord, ["backup", "--db", cluster.url, "--to", copy + ".2"])
            #expect(backup.status != 0 && backup.standardError.contains("SQLite database only"), "\(backup.standardError)")
        }
    }
}
