import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The privacy officer's pages on what the running gateway wrote, through the console's own
/// listener with the officer's certificate: the held page and the subject search, as
/// `accord serve` and curl see them (`PrivacyOfficerTests` drives the same pages in process).
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct LivePrivacyOfficerTests {
    func officer(_ gateway: LiveGateway, _ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        let port = try #require(gateway.consolePort)
        let pki = gateway.pki
        return try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", pki.caCertificate.path,
            "--cert", pki.operatorCertificate("officer").path, "--key", pki.operatorKey("officer").path, "--write-out", "\n%{http_code}",
        ] + extra + ["https://localhost:\(port)\(path)"])
    }

    /// `accord send` as `agency`; the receipt.
    func send(_ gateway: LiveGateway, as agency: String, to recipient: String, purpose: String, classification: String,
              content: String) async throws -> [String: Any] {
        let file = gateway.directory.appendingPathComponent("content-\(UUID().uuidString).json")
        try Data(content.utf8).write(to: file)
        let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "send", "--as", agency, "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path, "--to", recipient,
            "--type", "referral", "--purpose", purpose, "--classification", classification, "--json", file.path,
        ])
        try #require(sent.status == 0, "accord send: \(sent.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
    }

    /// Police to Immigration NZ for victim protection, held, with the address the agreement
    /// never discloses: the held page says what approval would disclose and what stays withheld.
    @Test func theHeldPageShowsWhatWouldBeDisclosedAndWithheld() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-officer-held")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(console: true, agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            let receipt = try await send(gateway, as: "nz.police", to: "nz.immigration", purpose: "victim-protection", classification: "SENSITIVE",
                content: #"{"subject": {"family_name": "Tupou", "visa_number": "V1", "address": "1 Quay St"}, "victim_status": "suspected-victim"}"#)
            let delivery = try #require((receipt["recipients"] as? [[String: Any]])?.first?["delivery_id"] as? String)

            let held = try await officer(gateway, "/held")
            #expect(held.httpStatus == 200 && held.body.contains(delivery), "\(held.standardOutput)")
            let disclosed = try #require(held.body.firstMatch(of: /<dt>Claims to be disclosed<\/dt><dd>([^<]*)<\/dd>/)?.1)
            let withheld = try #require(held.body.firstMatch(of: /<dt>Claims withheld<\/dt><dd>([^<]*)<\/dd>/)?.1)
            // `subject` is the object's own disclosure, which its members' need.
            #expect(Set(disclosed.split(separator: ", ").map(String.init)) == ["subject", "subject.family_name", "subject.visa_number", "victim_status"],
                    "\(disclosed)")
            #expect(withheld == "subject.address", "\(withheld)")
            #expect(held.body.contains("<dt>Agreement</dt><dd>inz-police-investigations</dd>"))
            #expect(!held.body.contains("1 Quay St") && !held.body.contains("Tupou"), "a payload value is on the held page")
        }
    }

    /// Two referrals naming a passport, and one naming another, each picked up twice by
    /// Police: the search by passport finds the deliveries of the one searched for, by the
    /// subject key the gateway used, and the identifier is never shown back.
    @Test func aSubjectSearchFindsWhatTheGatewayRecorded() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-officer-search")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(console: true, agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            for passport in ["NZ4455667", "NZ4455667", "NZ1112223"] {
                _ = try await send(gateway, as: "nz.immigration", to: "nz.police", purpose: "law-enforcement", classification: "IN-CONFIDENCE",
                                   content: #"{"summary": "triage", "subject": {"family_name": "Ratu", "passport_number": "\#(passport)"}}"#)
            }
            for _ in 0..<2 {
                let inbox = try await gateway.curl("/v1/inbox", as: "nz.police")
                try #require(inbox.httpStatus == 200, "\(inbox.standardOutput)")
            }

            let form = try await officer(gateway, "/audit")
            let token = try #require(form.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let found = try await officer(gateway, "/audit", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "subject=passport= nz4455667 ",
                "--data-urlencode", "event=message.delivered", "--data-urlencode", "agency=nz.police"])
            #expect(found.httpStatus == 200, "\(found.standardOutput)")
            // Two deliveries, each picked up twice: four message.delivered records.
            #expect(found.body.contains("4 record(s)"), "\(found.body)")
            #expect(!found.body.localizedCaseInsensitiveContains("4455667"), "the identifier is shown back")
            let other = try await officer(gateway, "/audit", ["--data-urlencode", "csrf=\(token)", "--data-urlencode", "subject=passport=NZ1112223",
                "--data-urlencode", "event=message.delivered", "--data-urlencode", "agency=nz.police"])
            #expect(other.body.contains("2 record(s)"), "\(other.body)")

            let queried = try await gateway.server.store.query(AuditQuery(events: [.auditQueried])).map(\.record)
            #expect(queried.count == 2 && queried.allSatisfy { $0.actor == "urn:accord:operator:privacy-officer:officer" })
            #expect(queried.allSatisfy { $0.details["subject"]?.hasPrefix("passport:") == true })
        }
    }
}
