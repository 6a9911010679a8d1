import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The console's flows view on the records the running gateway writes, not on records written
/// by hand: the gateway records every pick-up as `message.delivered`, and a recipient may pull
/// a delivery more than once before acknowledging it.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct LiveFlowsTests {
    /// Two messages, each pulled twice before any acknowledgement: two deliveries and four
    /// pick-ups (the view once counted four deliveries).
    @Test func deliveriesPulledTwiceCountOnceWithTheirPickUpsApart() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-flows")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(console: true, agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            let pki = gateway.pki
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            for _ in 0..<2 {
                let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                    "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", pki.directory.path,
                    "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                ])
                try #require(sent.status == 0, "accord send: \(sent.standardError)")
            }
            for _ in 0..<2 {
                let inbox = try await gateway.curl("/v1/inbox", as: "nz.police")
                try #require(inbox.httpStatus == 200, "\(inbox.standardOutput)")
            }
            let pickUps = try await gateway.server.store.query(AuditQuery(events: [.messageDelivered]))
            try #require(pickUps.count == 4, "the gateway wrote \(pickUps.count) message.delivered records for two deliveries pulled twice")

            let port = try #require(gateway.consolePort)
            let flows = try await ExternalProcess.run("curl", [
                "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path,
                "--cert", pki.operatorCertificate("officer").path, "--key", pki.operatorKey("officer").path,
                "--write-out", "\n%{http_code}", "https://localhost:\(port)/flows?days=7",
            ])
            #expect(flows.httpStatus == 200, "\(flows.standardOutput)")
            #expect(flows.body.contains("<td>nz.immigration</td><td>nz.police</td><td>referral</td><td>inz-police-investigations</td><td>2</td><td>4</td><td>1</td>"),
                    "\(flows.body)")
            #expect(flows.body.contains("2 in all, picked up 4 times"), "\(flows.body)")
        }
    }
}
