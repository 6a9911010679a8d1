import AccordCore
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
        return try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", gateway.pki.caCertificate.path, "--cert", certificate.path, "--key", key.path,
            "--write-out", "\n%{http_code}",
        ] + extra + ["https://localhost:\(port)\(path)"])
    }

    @Test(.needs("curl", fromPackage: "curl")) func aPrivacyOfficerReleasesAHeldMessageThroughTheConsole() async throws {
        let gateway = try await LiveGateway.start(console: true)
        try await gateway.closing {
            let pki = gateway.pki
            let officer = (pki.operatorCertificate("officer"), pki.operatorKey("officer"))

            // A held message: Police to INZ for victim protection.
            let accord = PackageRoot.accordExecutable.path
            let content = gateway.directory.appendingPathComponent("victim.json")
            try Data(#"{"subject": {"family_name": "Tupou", "visa_number": "V1"}, "victim_status": "suspected-victim"}"#.utf8).write(to: content)
            let sent = try await ExternalProcess.run(accord, [
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

            let inbox = try await ExternalProcess.run(accord, [
                "inbox", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", pki.directory.path, "--ack",
            ])
            #expect(inbox.status == 0 && inbox.standardOutput.contains(delivery) && inbox.standardOutput.contains("acknowledged"), "\(inbox.standardOutput)\(inbox.standardError)")
            let released = try await gateway.server.store.query(AuditQuery(events: [.messageReleased]))
            #expect(released.first?.record.actor == "urn:accord:operator:privacy-officer:officer")
        }
    }

    /// A privacy officer's Reject through the console on the running gateway, with the
    /// gateway's own review (not a double): the recipient never gets the delivery, the audit
    /// log has `message.denied` with the officer as actor, and the sender's status says so.
    @Test(.needs("curl", fromPackage: "curl")) func aPrivacyOfficerRejectsAHeldMessageThroughTheConsole() async throws {
        let gateway = try await LiveGateway.start(console: true)
        try await gateway.closing {
            let pki = gateway.pki
            let officer = (pki.operatorCertificate("officer"), pki.operatorKey("officer"))
            let content = gateway.directory.appendingPathComponent("victim.json")
            try Data(#"{"subject": {"family_name": "Tupou"}, "victim_status": "suspected-victim"}"#.utf8).write(to: content)
            let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                "send", "--as", "nz.police", "--gateway", "localhost:\(gateway.port)", "--pki", pki.directory.path, "--to", "nz.immigration",
                "--type", "referral", "--purpose", "victim-protection", "--classification", "SENSITIVE", "--json", content.path,
            ])
            try #require(sent.status == 0, "accord send: \(sent.standardError)")
            let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
            let delivery = try #require((receipt["recipients"] as? [[String: Any]])?.first?["delivery_id"] as? String)
            let message = try #require(receipt["message_id"] as? String)

            let held = try await curl(gateway, "/held", certificate: officer.0, key: officer.1)
            let token = try #require(held.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let rejected = try await curl(gateway, "/held/reject", certificate: officer.0, key: officer.1,
                                          ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "message=\(message)", "--data-urlencode", "delivery=\(delivery)",
                                           "--data-urlencode", "reason=the victim asked that Immigration NZ not be told"])
            #expect([200, 303].contains(rejected.httpStatus), "\(rejected.standardOutput)")

            let inbox = try await gateway.curl("/v1/inbox", as: "nz.immigration")
            #expect(inbox.httpStatus == 200 && !inbox.body.contains(delivery), "\(inbox.standardOutput)")
            #expect(try await gateway.server.store.delivery(id: DeliveryID(delivery))?.state == .rejected)
            let denied = try await gateway.server.store.query(AuditQuery(events: [.messageDenied]))
            #expect(denied.count == 1)
            #expect(denied.first?.record.actor == "urn:accord:operator:privacy-officer:officer")
            #expect(denied.first?.record.deliveryID == DeliveryID(delivery) && denied.first?.record.reason == "rejected-by-privacy-officer")
            #expect(denied.first?.record.details["officer_reason"] == "the victim asked that Immigration NZ not be told")
            #expect(try await gateway.server.store.query(AuditQuery(events: [.messageDelivered, .messageReleased])).isEmpty)

            let status = try await gateway.curl("/v1/messages/\(message)", as: "nz.police")
            #expect(status.httpStatus == 200, "\(status.standardOutput)")
            let deliveries = try #require(try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any])["deliveries"] as? [[String: Any]]
            #expect(deliveries?.map { $0["state"] as? String } == ["rejected"], "\(status.body)")
            // A second decision on it is refused: it is no longer held.
            let again = try await curl(gateway, "/held/approve", certificate: officer.0, key: officer.1,
                                       ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "message=\(message)", "--data-urlencode", "delivery=\(delivery)"])
            #expect(again.httpStatus == 409 && again.body.contains("not waiting for review"), "\(again.standardOutput)")
            #expect(try await gateway.server.store.query(AuditQuery(events: [.messageReleased])).isEmpty)
        }
    }

    /// A local account made with `accord accounts set`, used through curl with no client
    /// certificate: sign in, open a page, post a form, sign out. The agency API still refuses
    /// a client without a certificate in the handshake, while the console lets it through.
    @Test(.needs("curl", fromPackage: "curl"), .needs("openssl", fromPackage: "openssl")) func aLocalAccountSignsInWithCurlWithoutACertificate() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-accounts")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("console-accounts.yaml")
        let made = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "accounts", "set", "carol", "--role", "privacy-officer", "--password-stdin", "--file", file.path,
        ], input: "carol's passphrase 2026\n")
        try #require(made.status == 0, "accord accounts set: \(made.standardError)")
        #expect(!(try String(contentsOf: file, encoding: .utf8)).contains("passphrase"))

        let gateway = try await LiveGateway.start(console: true, accounts: file)
        try await gateway.closing {
            let port = try #require(gateway.consolePort)
            let jar = scratch.appendingPathComponent("cookies.txt").path
            func curl(_ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
                try await ExternalProcess.run("curl", [
                    "--silent", "--show-error", "--max-time", "20", "--cacert", gateway.pki.caCertificate.path,
                    "--cookie", jar, "--cookie-jar", jar, "--write-out", "\n%{http_code}",
                ] + extra + ["https://localhost:\(port)\(path)"])
            }

            let redirected = try await curl("/held")
            #expect(redirected.httpStatus == 303)
            let form = try await curl("/signin")
            #expect(form.httpStatus == 200)
            let token = try #require(form.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let wrong = try await curl("/signin", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "name=carol", "--data-urlencode", "password=not it"])
            #expect(wrong.httpStatus == 403)
            let retry = try #require(try await curl("/signin").body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let signedIn = try await curl("/signin", ["--data-urlencode", "csrf=\(retry)", "--data-urlencode", "name=carol",
                                                      "--data-urlencode", "password=carol's passphrase 2026", "--include"])
            #expect(signedIn.httpStatus == 303, "\(signedIn.standardOutput)")
            #expect(signedIn.standardOutput.contains("__Host-accord-session="))
            #expect(signedIn.standardOutput.contains("Secure; HttpOnly; SameSite=Strict"))

            let held = try await curl("/held")
            #expect(held.httpStatus == 200)
            #expect(held.body.contains("Signed in as <strong>carol</strong>"))
            let csrf = try #require(held.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let signedOut = try await curl("/signout", ["--data-urlencode", "csrf=\(csrf)"])
            #expect(signedOut.httpStatus == 303)
            #expect(try await curl("/held").httpStatus == 303)

            // The handshake without a certificate: accepted by the console, refused by the API.
            func handshake(_ port: Int) async throws -> ExternalProcess.Output {
                try await ExternalProcess.run("openssl", [
                    "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", gateway.pki.caCertificate.path,
                    "-verify_return_error", "-brief", "-ign_eof",
                ], input: "GET /signin HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            }
            let console = try await handshake(port)
            #expect(console.standardOutput.contains("HTTP/1.1 200"), "\(console.standardOutput)\(console.standardError)")
            let api = try await handshake(gateway.port)
            #expect(!api.standardOutput.contains("HTTP/1.1"), "\(api.standardOutput)")
            #expect((api.standardOutput + api.standardError).contains("certificate required"), "\(api.standardError)")

            let records = try await gateway.server.store.query(AuditQuery(events: [.operatorSignedIn, .operatorSignedOut]))
            #expect(records.map(\.record.event) == [.operatorSignedIn, .operatorSignedOut])
            #expect(records.allSatisfy { $0.record.actor == "urn:accord:operator:privacy-officer:carol" })
        }
    }
}
