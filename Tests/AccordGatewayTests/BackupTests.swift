import AccordCrypto
import AccordGateway
import AccordServer
import AccordTestSupport
import Foundation
import Testing

/// `accord backup` copies the database while the gateway is writing, and the copy verifies.
@Suite(.serialized) struct BackupTests {
    @Test func anOnlineBackupOfARunningGatewayVerifies() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let accord = PackageRoot.accordExecutable.path
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            for _ in 0..<3 {
                let sent = try await ExternalProcess.run(accord, [
                    "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path,
                    "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                ])
                #expect(sent.status == 0, "\(sent.standardError)")
            }
            let database = gateway.server.configuration.database
            let copy = gateway.directory.appendingPathComponent("backup.sqlite").path
            let backup = try await ExternalProcess.run(accord, ["backup", "--db", database, "--to", copy])
            #expect(backup.status == 0, "\(backup.standardError)")
            let again = try await ExternalProcess.run(accord, ["backup", "--db", database, "--to", copy])
            #expect(again.status != 0 && again.standardError.contains("exists"))

            let verify = try await ExternalProcess.run(accord, [
                "audit", "verify", "--db", copy, "--key", gateway.pki.gatewaySigningKey.path,
            ])
            #expect(verify.status == 0, "\(verify.standardOutput)\(verify.standardError)")
            #expect(verify.standardOutput.hasPrefix("verified: "), "\(verify.standardOutput)")
        }
    }
}
