import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import GRDB
import Testing

/// The console on a running gateway whose database someone edited around the signed leaves
/// (triggers dropped, a row's event changed): an auditor's integrity run names the row, and a
/// search marks the result, as an officer would see them with curl.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct LiveIndexTamperTests {
    @Test func theConsoleNamesAndMarksARowWhoseEventWasChanged() async throws {
        let gateway = try await LiveGateway.start(console: true)
        try await gateway.closing {
            let port = try #require(gateway.consolePort)
            let auditor = (gateway.pki.operatorCertificate("auditor"), gateway.pki.operatorKey("auditor"))
            func console(_ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
                try await ExternalProcess.run("curl", [
                    "--silent", "--show-error", "--max-time", "30", "--cacert", gateway.pki.caCertificate.path,
                    "--cert", auditor.0.path, "--key", auditor.1.path, "--write-out", "\n%{content_type}\n%{http_code}",
                ] + extra + ["https://localhost:\(port)\(path)"])
            }
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path,
                "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
            ])
            try #require(sent.status == 0, "accord send: \(sent.standardError)")
            let accepted = try #require(try await gateway.server.store.query(AuditQuery(events: [.messageAccepted])).last)

            let raw = try DatabaseQueue(path: gateway.directory.appendingPathComponent("accord.sqlite").path)
            try await raw.write { db in
                try db.execute(sql: "DROP TRIGGER audit_leaf_refuse_update")
                try db.execute(sql: "UPDATE audit_leaf SET event = 'message.held' WHERE idx = ?", arguments: [Int64(accepted.index)])
            }
            try raw.close()

            // A search for held messages finds it, and says the leaf itself is not one.
            let form = try await console("/audit")
            let token = try #require(form.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let held = try await console("/audit", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "event=message.held"])
            #expect(held.httpStatus == 200 && held.body.contains("found through a search column that disagrees with the signed leaf"),
                    "\(held.body)")

            let integrity = try await console("/integrity")
            let verifyToken = try #require(integrity.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            _ = try await console("/integrity/verify", ["--data-urlencode", "csrf=\(verifyToken)"])
            var finished = ""
            // Up to a minute: the run verifies the whole log, slowly on a loaded machine.
            for _ in 0..<600 {
                let run = try await console("/integrity/runs/1")
                if !run.body.contains("http-equiv=\"refresh\"") { finished = run.body; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(finished.contains("The signed log is intact, but its search index was changed."), "\(finished)")
            #expect(finished.contains("leaf \(accepted.index): event"))

            // Searched by its message, the leaf is marked from the run's findings.
            let byMessage = try await console("/audit", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "message=\(try #require(accepted.record.messageID))"])
            #expect(byMessage.body.contains("its search columns disagree with the signed leaf (event)"), "\(byMessage.body)")
        }
    }
}
