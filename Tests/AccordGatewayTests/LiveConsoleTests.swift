import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The console as `accord serve` mounts it: its own listener, operator certificates only, and
/// a held message released by a privacy officer through the same form a browser posts.
@Suite(.serialized) struct LiveConsoleTests {
    func curl(_ gateway: LiveGateway, _ path: String, certificate: URL, key: URL, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        let port = try #require(gateway.consolePort)
        return try await ExternalProcess.runDetached("curl", [
            "--silent", "--show-error", "--max-time", "10", "--cacert", gateway.pki.caCertificate.path, "--cert", certificate.path, "--key", key.path,
            "--write-out", "\n%{http_code}",
        ] + extra + ["https://localhost:\(port)\(path)"])
    }

    @Test func aPrivacyOfficerReleasesAHeldMessageThroughTheConsole() async throws {
        let gateway = try await LiveGateway.start(console: true)
        defer { Task { await gateway.stop() } }
        let pki = gateway.pki
        let officer = (pki.operatorCertificate("officer"), pki.operatorKey("officer"))

        // A held message: Police to INZ for victim protection.
        let accord = PackageRoot.accordExecutable.path
        let content = gateway.directory.appendingPathComponent("victim.json")
        try Data(#"{"subject": {"family_name": "Tupou", "visa_number": "V1"}, "victim_status": "suspected"}"#.utf8).write(to: content)
        let sent = try await ExternalProcess.runDetached(accord, [
            "send", "--as", "nz.police", "--gateway", "localhost:\(gateway.port)", "--pki", pki.directory.path, "--to", "nz.immigration",
            "--type", "referral", "--purpose", "victim-protection", "--classification", "SENSITIVE", "--json", content.path,
        ])
        try #require(sent.status == 0, "accord send: \(sent.standardError)")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
        let delivery = try #require((receipt["recipients"] as? [[String: Any]])?.first?["delivery_id"] as? String)
        let message = try #require(receipt["message_id"] as? String)

        let held = try await curl(gateway, "/held", certificate: officer.0, key: officer.1)
        #expect(held.httpStatus == 200 && held.body.contains(delivery))
        let agency = try await curl(gateway, "/held", certificate: pki.agencyTLSCertificate("nz.police"), key: pki.agencyTLSKey("nz.police"))
        #expect(agency.httpStatus == 403)
        let auditor = try await curl(gateway, "/held", certificate: pki.operatorCertificate("auditor"), key: pki.operatorKey("auditor"))
        #expect(auditor.httpStatus == 403)

        // Without the form's CSRF token the approval is refused; with it, the delivery is released.
        let forged = try await curl(gateway, "/held/approve", certificate: officer.0, key: officer.1, ["--data-urlencode", "message=\(message)", "--data-urlencode", "delivery=\(delivery)"])
        #expect(forged.httpStatus == 403)
        let token = try #require(held.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
        let approved = try await curl(gateway, "/held/approve", certificate: officer.0, key: officer.1,
                                      ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "message=\(message)", "--data-urlencode", "delivery=\(delivery)"])
        #expect([200, 303].contains(approved.httpStatus), "\(approved.standardOutput)")

        let inbox = try await ExternalProcess.runDetached(accord, [
            "inbox", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", pki.directory.path, "--ack",
        ])
        #expect(inbox.status == 0 && inbox.standardOutput.contains(delivery) && inbox.standardOutput.contains("acknowledged"), "\(inbox.standardOutput)\(inbox.standardError)")
        let released = try await gateway.server.store.query(AuditQuery(events: [.messageReleased]))
        #expect(released.first?.record.actor == "urn:accord:operator:privacy-officer:officer")
    }
}
