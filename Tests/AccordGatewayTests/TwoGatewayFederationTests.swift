import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Two gateways joined end to end (docs/federation.md): `accord serve` for New Zealand and one
/// for Australia, each with its own development PKI, database, registry and agreements. The
/// Australian registry sets `home_jurisdiction: AU`, so New Zealand's agencies are overseas
/// there and its gateway an ordinary partner entry.
@Suite(.serialized, .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct TwoGatewayFederationTests {
    /// Australia's inbound agreement: what it lets au.abf receive from nz.customs, the same
    /// claims New Zealand's customs-abf-s318 discloses.
    static let australianAgreement = """
        id: abf-customs-inbound
        title: ABF receipt of NZ Customs border intelligence (test inbound agreement)
        version: 1
        status: active
        legal_basis:
          - instrument: Customs Act 1901 (Cth)
            provision: s16
            summary: The ABF may receive information from an overseas customs administration.
        parties: [nz.customs, au.abf]
        valid_from: 2024-01-01
        valid_until: 2029-12-31
        review_by: 2027-01-01
        flows:
          - from: [nz.customs]
            to: [au.abf]
            types: [intelligence-request]
            purposes: [border-security]
            max_classification: SENSITIVE
            handling: H2
            disclose: [request, subject.family_name, subject.given_names, subject.date_of_birth, subject.nationality,
                       subject.passport_number, travel, organisation.name]

        """

    /// Australia's outbound agreement: ABF referrals to Immigration New Zealand, overseas from
    /// Australia, so with a safeguard; the claims New Zealand's inbound agreement accepts.
    static let australianOutbound = """
        id: abf-inz-outbound
        title: ABF referrals to Immigration New Zealand (test outbound agreement)
        version: 1
        status: active
        legal_basis:
          - instrument: Australian Border Force Act 2015 (Cth)
            provision: s45
            summary: The ABF may disclose information to a foreign government agency.
        parties: [au.abf, nz.immigration]
        valid_from: 2024-01-01
        valid_until: 2029-12-31
        review_by: 2027-01-01
        flows:
          - from: [au.abf]
            to: [nz.immigration]
            types: [referral]
            purposes: [law-enforcement]
            max_classification: SENSITIVE
            handling: H2
            ipp12_safeguard: ipp12-1c-comparable-laws
            disclose: [subject.family_name, subject.given_names, subject.passport_number, 'indicators[*]', summary]

        """

    static func australianRegistry(nzPort: Int) -> String {
        """
        home_jurisdiction: AU
        agencies:
          - id: au.abf
            name: Australian Border Force
            jurisdiction: AU
            kind: nz-government
            child_welfare_agency: false
            certificate: urn:accord:agency:au.abf
          - id: nz.customs
            name: New Zealand Customs Service
            jurisdiction: NZ
            kind: overseas-authority
            child_welfare_agency: false
            certificate: urn:accord:agency:nz.customs
            ca: partners/nz-ca.pem
          - id: nz.immigration
            name: Immigration New Zealand
            jurisdiction: NZ
            kind: overseas-authority
            child_welfare_agency: false
            certificate: urn:accord:agency:nz.immigration
            ca: partners/nz-ca.pem
          - id: nz.gateway
            name: New Zealand Accord gateway
            jurisdiction: NZ
            kind: gateway
            ca: partners/nz-ca.pem
            endpoint: https://localhost:\(nzPort)/v1/federation/deliveries
            binding_key: partners/nz-binding.pem
            serves: [nz.customs, nz.immigration]

        """
    }

    static func newZealandPartner(auPort: Int) -> String {
        """
          - id: au.gateway
            name: Australian Accord gateway
            jurisdiction: AU
            kind: gateway
            ca: partners/au-ca.pem
            endpoint: https://localhost:\(auPort)/v1/federation/deliveries
            binding_key: partners/au-binding.pem
            serves: [au.abf]

        """
    }

    struct Pair {
        let nz: ServedGateway
        let au: ServedGateway

        /// `australianInbound`: the agreement under which the Australian gateway receives
        /// nz.customs's requests for au.abf (one narrower than New Zealand's, to be refused).
        init(australianInbound: String = TwoGatewayFederationTests.australianAgreement) throws {
            let nzPlaceholder = "NZ-PORT"
            nz = try ServedGateway("federation-nz", agreements: { directory in
                let copy = try agreementsCopy(in: directory) {
                    registry($0, naming: "partners/au-ca.pem", for: "au.abf") + TwoGatewayFederationTests.newZealandPartner(auPort: 0)
                }
                try InboundForwardTests.inboundAgreement.write(to: copy.appendingPathComponent("abf-inz-inbound.yaml"),
                                                               atomically: true, encoding: .utf8)
                return copy
            }, yaml: "push: {horizon_seconds: 3600, poll_milliseconds: 50}\n")
            au = try ServedGateway("federation-au", agreements: { directory in
                let copy = directory.appendingPathComponent("agreements")
                let shipped = PackageRoot.url.appendingPathComponent("Agreements")
                try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
                for item in ["schemas", "purposes.yaml"] {
                    try FileManager.default.copyItem(at: shipped.appendingPathComponent(item), to: copy.appendingPathComponent(item))
                }
                try TwoGatewayFederationTests.australianRegistry(nzPort: 1).replacingOccurrences(of: "localhost:1/", with: "localhost:\(nzPlaceholder)/")
                    .write(to: copy.appendingPathComponent("agencies.yaml"), atomically: true, encoding: .utf8)
                try australianInbound.write(to: copy.appendingPathComponent("abf-customs-inbound.yaml"), atomically: true, encoding: .utf8)
                try TwoGatewayFederationTests.australianOutbound.write(to: copy.appendingPathComponent("abf-inz-outbound.yaml"),
                                                                       atomically: true, encoding: .utf8)
                return copy
            })
            // Each registry names the other's port, CA and binding key, known only now.
            let nzRegistry = nz.agreements.appendingPathComponent("agencies.yaml")
            try String(contentsOf: nzRegistry, encoding: .utf8).replacingOccurrences(of: "localhost:0/", with: "localhost:\(au.port)/")
                .write(to: nzRegistry, atomically: true, encoding: .utf8)
            let auRegistry = au.agreements.appendingPathComponent("agencies.yaml")
            try String(contentsOf: auRegistry, encoding: .utf8).replacingOccurrences(of: nzPlaceholder, with: "\(nz.port)")
                .write(to: auRegistry, atomically: true, encoding: .utf8)
        }

        /// Makes Australia's own development PKI as its operators would (a CA named for AU),
        /// then gives each gateway what it pins for the other.
        func join() async throws {
            let made = try await ExternalProcess.run(au.accord, [
                "pki", "init", "--dir", au.pki.directory.path, "--agencies", au.agreements.appendingPathComponent("agencies.yaml").path,
                "--jurisdiction", "AU", "--force", "--quiet",
            ])
            try #require(made.status == 0, "accord pki init for AU failed: \(made.standardError)")
            try Self.exchange(from: au, to: nz, as: "au")
            try Self.exchange(from: nz, to: au, as: "nz")
            // Each verifies the other's agencies' signatures with their signing certificates from their own PKI.
            for (agency, from, to) in [("nz.customs", nz, au), ("au.abf", au, nz)] {
                let signing = "agencies/\(agency)/signing.pem"
                let target = to.pki.directory.appendingPathComponent(signing)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: from.pki.directory.appendingPathComponent(signing), to: target)
            }
        }

        /// What `to` pins for the partner `from`: its CA and its binding public key.
        static func exchange(from: ServedGateway, to: ServedGateway, as name: String) throws {
            let partners = to.pki.directory.appendingPathComponent("partners")
            try FileManager.default.createDirectory(at: partners, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: from.pki.caCertificate, to: partners.appendingPathComponent("\(name)-ca.pem"))
            try PrivateKey(pemFile: from.pki.gatewayBindingKey.path).publicKey.pem()
                .write(to: partners.appendingPathComponent("\(name)-binding.pem"), atomically: true, encoding: .utf8)
        }

        /// Starts both gateways and waits until each answers; the caller stops them by pid.
        func start() async throws -> (nz: BackgroundProcess, au: BackgroundProcess) {
            let au = try self.au.start()
            let nz: BackgroundProcess
            do { nz = try self.nz.start() } catch {
                kill(au.processIdentifier, SIGKILL)
                throw error
            }
            return (nz, au)
        }

        /// nz.customs's intelligence request for au.abf, sent to the New Zealand gateway; its message id.
        func sendCustomsRequest() async throws -> String {
            let content = nz.directory.appendingPathComponent("request-\(UUID().uuidString).json")
            try Data(#"""
                {"request": {"question": "prior travel", "urgency": "routine"},
                 "subject": {"family_name": "Kovac", "passport_number": "HR7712094"},
                 "informant": {"name": "officer 4471"}}
                """#.utf8).write(to: content)
            let sent = try await ExternalProcess.run(nz.accord, [
                "send", "--as", "nz.customs", "--gateway", "localhost:\(nz.port)", "--pki", nz.pki.directory.path,
                "--to", "au.abf", "--type", "intelligence-request", "--purpose", "border-security", content.path,
            ])
            try #require(sent.status == 0, "\(sent.standardError)")
            let accepted = try #require(sent.standardOutput.split(separator: "\n").first { $0.hasPrefix("accepted: message ") })
            return try #require(accepted.dropFirst("accepted: message ".count).split(separator: " ").first.map(String.init))
        }

        func remove() {
            nz.remove()
            au.remove()
        }
    }

    /// Polls `condition` every 100 ms for up to `seconds` by the clock (a loaded machine's curl
    /// takes seconds of its own); unlike `eventuallyHolds`, a throw fails the test.
    static func within(_ seconds: Int, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static func serving(_ served: ServedGateway, as agency: String) async throws -> Bool {
        try await within(60) { try await served.curl("/healthz", as: agency, maxTime: 2).status == 0 }
    }

    static func inbox(_ served: ServedGateway, as agency: String) async throws -> [[String: Any]] {
        let output = try await served.curl("/v1/inbox", as: agency)
        let page = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return page?["items"] as? [[String: Any]] ?? []
    }

    static func records(_ served: ServedGateway, _ events: [AuditEvent]) async throws -> [AuditLeaf] {
        let store = try SQLiteStore.open(path: served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        return try await store.query(AuditQuery(events: events))
    }

    /// `served`'s own signed checkpoint of `size` leaves, as the other side's log names it.
    static func checkpoint(_ served: ServedGateway, size: String?) async throws -> StoredCheckpoint? {
        guard let size = size.flatMap({ UInt64($0) }) else { return nil }
        let store = try SQLiteStore.open(path: served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        return try await store.checkpoint(size: size)
    }

    /// Whether `record` (in one log) names a checkpoint of `other`'s log that holds `leaf`, by
    /// the size and root hash `other` signed.
    static func namesCheckpoint(of other: ServedGateway, holding leaf: UInt64, in record: AuditRecord) async throws -> Bool {
        guard let stored = try await checkpoint(other, size: record.details["partner_checkpoint_size"]) else { return false }
        return stored.size > leaf && Data(stored.rootHash).base64EncodedString() == record.details["partner_checkpoint_root"]
    }

    /// The `sd-jwt` reference library's verification of `presentation` as `audience` would do
    /// it: the originator's key from its own PKI, the key binding for `nonce`.
    static func referenceVerify(_ presentation: String, signedBy issuerKey: URL, audience: String, nonce: String) async throws -> [String: Any]? {
        let jwk = try PrivateKey(pemFile: issuerKey.path).publicKey.jwk
        let request: [String: Any] = [
            "issuer_jwk": ["kty": jwk.kty, "crv": jwk.crv, "x": jwk.x, "y": jwk.y ?? ""],
            "cases": [["sd_jwt": presentation, "aud": audience, "nonce": nonce]],
        ]
        let script = PackageRoot.url.appendingPathComponent("Tests/Interop/sdjwt_verify.py").path
        let verified = try await ExternalProcess.run(try await PythonEnvironment.interpreter(), [script],
            input: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
        let answer = try? JSONSerialization.jsonObject(with: Data(verified.standardOutput.utf8)) as? [String: Any]
        return (answer?["results"] as? [[String: Any]])?.first ?? ["ok": false, "error": verified.standardError]
    }

    static func auditVerify(_ served: ServedGateway) async throws -> ExternalProcess.Output {
        try await ExternalProcess.run(served.accord, [
            "audit", "verify", "--db", served.database, "--origin", "accord.local/audit",
            "--key", served.pki.directory.appendingPathComponent("gateway/signing-key.pem").path,
        ])
    }

    @Test func customsForwardedToTheAustralianGatewayReachesTheABFVerifiedAndBothLogsNameEachOther() async throws {
        let pair = try Pair()
        defer { pair.remove() }
        try await pair.join()
        let au = try pair.au.start()
        defer { kill(au.processIdentifier, SIGKILL) }
        let nz = try pair.nz.start()
        defer { kill(nz.processIdentifier, SIGKILL) }
        try #require(try await Self.serving(pair.au, as: "au.abf"), "the Australian gateway did not start")
        try #require(try await Self.serving(pair.nz, as: "nz.customs"), "the New Zealand gateway did not start")

        let content = pair.nz.directory.appendingPathComponent("request.json")
        try Data(#"""
            {"request": {"question": "prior travel", "urgency": "routine"},
             "subject": {"family_name": "Kovac", "passport_number": "HR7712094"},
             "informant": {"name": "officer 4471"}}
            """#.utf8).write(to: content)
        let sent = try await ExternalProcess.run(pair.nz.accord, [
            "send", "--as", "nz.customs", "--gateway", "localhost:\(pair.nz.port)", "--pki", pair.nz.pki.directory.path,
            "--to", "au.abf", "--type", "intelligence-request", "--purpose", "border-security", content.path,
        ])
        try #require(sent.status == 0, "\(sent.standardError)")

        // au.abf pulls it from its own gateway's inbox.
        var items: [[String: Any]] = []
        _ = try await Self.within(60) {
            items = try await Self.inbox(pair.au, as: "au.abf")
            return !items.isEmpty
        }
        if items.isEmpty {
            kill(nz.processIdentifier, SIGTERM)
            kill(au.processIdentifier, SIGTERM)
            let logs = [await nz.finish().standardError, await au.finish().standardError].map { $0.suffix(3000) }
            Issue.record("nothing reached au.abf's inbox at the Australian gateway; NZ:\n\(logs[0])\nAU:\n\(logs[1])")
            return
        }
        try #require(items.count == 1)
        let presentation = try #require(items[0]["presentation"] as? String)
        #expect(!presentation.contains("officer 4471") && items[0]["from"] as? String == "nz.customs")
        // The KB-JWT is New Zealand's, for au.abf and New Zealand's delivery id: the reference
        // library verifies it with the originator's key, as au.abf's system would.
        let nzDeliveries = try await Self.records(pair.nz, [.messageDelivered])
        let nzDelivery = try #require(nzDeliveries.last?.record.deliveryID)
        let result = try await Self.referenceVerify(presentation, signedBy: pair.nz.pki.agencySigningKey("nz.customs"),
                                                    audience: "au.abf", nonce: nzDelivery.rawValue)
        #expect(result?["ok"] as? Bool == true, "\(result ?? [:])")
        let payload = result?["payload"] as? [String: Any]
        #expect((payload?["subject"] as? [String: Any])?["family_name"] as? String == "Kovac")
        #expect(payload?["informant"] == nil)

        // New Zealand recorded the partner's receipt as the acknowledgement.
        #expect(try await Self.within(60) { try await Self.records(pair.nz, [.messageAcknowledged]).count == 1 })

        kill(nz.processIdentifier, SIGTERM)
        kill(au.processIdentifier, SIGTERM)
        _ = await nz.finish()
        _ = await au.finish()

        let nzVerify = try await Self.auditVerify(pair.nz)
        let auVerify = try await Self.auditVerify(pair.au)
        #expect(nzVerify.status == 0, "\(nzVerify.standardOutput)\(nzVerify.standardError)")
        #expect(auVerify.status == 0, "\(auVerify.standardOutput)\(auVerify.standardError)")

        // Each log names the other's leaf: Australia's receipt leaf in New Zealand's
        // acknowledgement, New Zealand's delivery leaf in Australia's received-from-partner.
        let received = try #require(try await Self.records(pair.au, [.messageReceivedFromPartner]).first)
        let delivered = try #require(nzDeliveries.last)
        let acknowledged = try #require(try await Self.records(pair.nz, [.messageAcknowledged]).first)
        #expect(received.record.details["partner"] == "nz.gateway")
        #expect(received.record.details["partner_leaf"] == String(delivered.index))
        #expect(acknowledged.record.details["via"] == "partner" && acknowledged.record.details["partner"] == "au.gateway")
        #expect(acknowledged.record.details["partner_leaf"] == String(received.index))
        // ... and a checkpoint of the other's log holding that leaf, as the other log signed it.
        #expect(try await Self.namesCheckpoint(of: pair.au, holding: received.index, in: acknowledged.record), "\(acknowledged.record.details)")
        #expect(try await Self.namesCheckpoint(of: pair.nz, holding: delivered.index, in: received.record), "\(received.record.details)")
        for leaf in [received, acknowledged] {
            let text = String(decoding: leaf.bytes, as: UTF8.self)
            #expect(!text.contains("Kovac") && !text.contains("HR7712094") && !text.contains("officer 4471"))
        }
    }

    @Test func anABFReferralForwardedByTheAustralianGatewayReachesImmigrationNewZealand() async throws {
        let pair = try Pair()
        defer { pair.remove() }
        try await pair.join()
        let au = try pair.au.start()
        defer { kill(au.processIdentifier, SIGKILL) }
        let nz = try pair.nz.start()
        defer { kill(nz.processIdentifier, SIGKILL) }
        try #require(try await Self.serving(pair.au, as: "au.abf"), "the Australian gateway did not start")
        try #require(try await Self.serving(pair.nz, as: "nz.immigration"), "the New Zealand gateway did not start")

        let content = pair.au.directory.appendingPathComponent("referral.json")
        try Data(#"""
            {"subject": {"family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567"},
             "summary": "Worker reports passport held by employer"}
            """#.utf8).write(to: content)
        let sent = try await ExternalProcess.run(pair.au.accord, [
            "send", "--as", "au.abf", "--gateway", "localhost:\(pair.au.port)", "--pki", pair.au.pki.directory.path,
            "--to", "nz.immigration", "--type", "referral", "--purpose", "law-enforcement", content.path,
        ])
        try #require(sent.status == 0, "\(sent.standardError)")

        var items: [[String: Any]] = []
        _ = try await Self.within(60) {
            items = try await Self.inbox(pair.nz, as: "nz.immigration")
            return !items.isEmpty
        }
        try #require(items.count == 1, "nothing reached nz.immigration's inbox at the New Zealand gateway")
        let presentation = try #require(items[0]["presentation"] as? String)
        #expect(items[0]["from"] as? String == "au.abf" && items[0]["agreement"] as? String == "abf-inz-inbound")
        let auDelivered = try #require(try await Self.records(pair.au, [.messageDelivered]).last)
        let result = try await Self.referenceVerify(presentation, signedBy: pair.au.pki.agencySigningKey("au.abf"),
                                                    audience: "nz.immigration", nonce: try #require(auDelivered.record.deliveryID).rawValue)
        #expect(result?["ok"] as? Bool == true, "\(result ?? [:])")
        #expect(try await Self.within(60) { try await Self.records(pair.au, [.messageAcknowledged]).count == 1 })

        kill(nz.processIdentifier, SIGTERM)
        kill(au.processIdentifier, SIGTERM)
        _ = await nz.finish()
        _ = await au.finish()
        #expect(try await Self.auditVerify(pair.nz).status == 0)
        #expect(try await Self.auditVerify(pair.au).status == 0)
        let received = try #require(try await Self.records(pair.nz, [.messageReceivedFromPartner]).first)
        let acknowledged = try #require(try await Self.records(pair.au, [.messageAcknowledged]).first)
        #expect(received.record.details["partner"] == "au.gateway" && received.record.details["partner_leaf"] == String(auDelivered.index))
        #expect(acknowledged.record.details["partner"] == "nz.gateway" && acknowledged.record.details["partner_leaf"] == String(received.index))
        #expect(try await Self.namesCheckpoint(of: pair.nz, holding: received.index, in: acknowledged.record), "\(acknowledged.record.details)")
        #expect(try await Self.namesCheckpoint(of: pair.au, holding: auDelivered.index, in: received.record), "\(received.record.details)")
    }
}
