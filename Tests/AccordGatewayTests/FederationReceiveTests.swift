import AccordAudit
import AccordCore
import AccordCrypto
import AccordMessages
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The receiving route (docs/federation.md, "Receiving"): `accord serve` for New Zealand takes
/// a forward from the Australian gateway at `POST /v1/federation/deliveries`, as the partner
/// sends it: one inbox item over mutual TLS with the partner's gateway certificate (from the
/// partner's own CA), holding au.abf's SD-JWT bound by the partner's pinned binding key.
@Suite(.serialized)
struct FederationReceiveTests {
    struct Setup {
        let served: ServedGateway
        let partnerCA: PartnerCA
        let partnerClient: PartnerCA.Issued
        let partnerKey: PrivateKey

        init(_ label: String) throws {
            served = try ServedGateway(label, agreements: { directory in
                let copy = try agreementsCopy(in: directory) { text in text + InboundForwardTests.partnerEntry }
                try InboundForwardTests.inboundAgreement.write(to: copy.appendingPathComponent("abf-inz-inbound.yaml"),
                                                               atomically: true, encoding: .utf8)
                return copy
            })
            partnerCA = try PartnerCA(name: "au", certificates: served.pki.directory)
            partnerClient = try partnerCA.gatewayClient()
            partnerKey = try PrivateKey.generate(.es256)
            try partnerKey.publicKey.pem().write(to: partnerCA.directory.appendingPathComponent("au-binding.pem"),
                                                 atomically: true, encoding: .utf8)
        }

        /// au.abf's referral for nz.immigration as the Australian gateway forwards it: signed by
        /// au.abf naming the partner's key in `cnf`, bound by that key for delivery `delivery`.
        /// `checkpoint`: the partner's signed checkpoint note the forward names, if any.
        func forward(content: [String: JSONValue] = InboundForwardTests.allowed, delivery: String = "d-au-1",
                     partnerLeaf: Int = 7, checkpoint: String? = nil) throws -> (presentation: String, body: URL) {
            let key = try PrivateKey(pemFile: served.pki.agencySigningKey("au.abf").path)
            let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
            let now = Int(Date().timeIntervalSince1970)
            var message = content
            message["iss"] = "au.abf"
            message["jti"] = .string(UUID().uuidString)
            message["iat"] = .integer(now)
            message["exp"] = .integer(now + 3600)
            message["accord"] = ["type": "referral", "to": ["nz.immigration"], "purpose": "law-enforcement", "classification": "SENSITIVE"]
            let issued = try issuer.issue(message, holderKey: partnerKey.publicKey)
            let presentation = try KeyBinder(gatewayKey: partnerKey).bind(
                issued, audience: "nz.immigration", nonce: delivery,
                decision: GatewayDecision(agreementID: "abf-inz-au", agreementDigest: String(repeating: "ab", count: 32),
                                          auditLeafIndex: partnerLeaf, withheldPaths: []),
                issuedAt: Date())
            var item: JSONValue = [
                "delivery_id": .string(delivery), "message_id": "m-au-1", "from": "au.abf", "type": "referral",
                "purpose": "law-enforcement", "agreement": "abf-inz-au", "withheld": [], "received_at": "2026-01-01T00:00:00Z",
                "audit_leaf": .integer(partnerLeaf), "presentation": .string(presentation), "cursor": "1",
            ]
            if let checkpoint, case .object(var fields) = item {
                fields["checkpoint"] = .string(checkpoint)
                item = .object(fields)
            }
            let body = served.directory.appendingPathComponent("\(delivery)-\(UUID().uuidString).json")
            try Data(CanonicalJSON.encode(item)).write(to: body)
            return (presentation, body)
        }

        /// POSTs `body` as a partner gateway holding `certificate`; the status (nil when no
        /// HTTP answer came, as when the handshake is refused) and the answer's JSON.
        func post(_ body: URL, certificate: URL? = nil, key: URL? = nil) async throws -> (status: Int?, json: [String: Any]) {
            let output = try await ExternalProcess.run("curl", [
                "--silent", "--max-time", "60", "--cacert", served.pki.caCertificate.path,
                "--cert", (certificate ?? partnerClient.certificateFile).path, "--key", (key ?? partnerClient.keyFile).path,
                "-H", "Content-Type: application/json", "--data-binary", "@\(body.path)", "--write-out", "\n%{http_code}",
                "https://localhost:\(served.port)/v1/federation/deliveries",
            ])
            let lines = output.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
            let status = lines.last.flatMap { Int($0) }.flatMap { $0 == 0 ? nil : $0 }
            let json = (try? JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8))) as? [String: Any]
            return (status, json ?? [:])
        }

        func inbox(_ agency: String) async throws -> [[String: Any]] {
            let output = try await served.curl("/v1/inbox", as: agency)
            let page = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
            return page?["items"] as? [[String: Any]] ?? []
        }

        /// The Australian gateway's checkpoint of `size` leaves, signed with its own audit key.
        static func partnerCheckpoint(size: UInt64, root: [UInt8]) throws -> String {
            let signer = try NoteSigner(name: "accord.au/audit", privateKey: PrivateKey.generate(.edDSA))
            return try Checkpoint(origin: "accord.au/audit", size: size, rootHash: root).signed(by: signer).encoded
        }

        func auditLeaves(_ events: [AuditEvent]) async throws -> [AuditLeaf] {
            let store = try SQLiteStore.open(path: served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            return try await store.query(AuditQuery(events: events))
        }
    }

    @Test func aPartnersForwardIsDeliveredAsItArrivedWithASignedReceiptNamingOurLeaf() async throws {
        let setup = try Setup("federation-receive")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        let partnerRoot = Array(SHA256.hash(Array("the partner's tree".utf8)))
        let (presentation, body) = try setup.forward(checkpoint: try Setup.partnerCheckpoint(size: 8, root: partnerRoot))
        let answer = try await setup.post(body)
        try #require(answer.status == 201, "\(answer)")
        let leaf = try #require(answer.json["audit_leaf"] as? Int)
        #expect(answer.json["delivery_id"] as? String == "d-au-1")
        // The receipt is signed with the binding key GET /v1/keys publishes.
        let receipt = try CompactJWS(parsing: try #require(answer.json["receipt"] as? String))
        let bindingKey = try PrivateKey(pemFile: setup.served.pki.gatewayBindingKey.path).publicKey
        try receipt.verify(with: JWSVerifier(key: bindingKey))
        let signed = try JSONParser.parse(receipt.payload)
        #expect(signed["audit_leaf"]?.integerValue == leaf && signed["delivery_id"]?.stringValue == "d-au-1")
        // It names a checkpoint of ours that holds the leaf: its size and root, signed, and the note itself.
        let size = try #require(signed["checkpoint_size"]?.integerValue)
        #expect(size > leaf && answer.json["checkpoint_size"] as? Int == size)
        let root = try #require(signed["checkpoint_root"]?.stringValue)
        let note = try Checkpoint(text: SignedNote(parsing: try #require(answer.json["checkpoint"] as? String)).text)
        #expect(note.size == UInt64(size) && Data(note.rootHash).base64EncodedString() == root)

        // nz.immigration pulls exactly what the partner sent: not re-bound by us.
        let items = try await setup.inbox("nz.immigration")
        try #require(items.count == 1)
        #expect(items[0]["presentation"] as? String == presentation)
        #expect(items[0]["from"] as? String == "au.abf" && items[0]["agreement"] as? String == "abf-inz-inbound")

        // The same forward again (its answer lost on the way back): the first receipt, delivered once.
        let again = try await setup.post(body)
        #expect(again.status == 201 && again.json["audit_leaf"] as? Int == leaf, "\(again)")
        #expect(try await setup.inbox("nz.immigration").count == 1)

        kill(server.processIdentifier, SIGTERM)
        _ = await server.finish()
        let received = try await setup.auditLeaves([.messageReceivedFromPartner])
        try #require(received.count == 1)
        #expect(received[0].index == UInt64(leaf))
        #expect(received[0].record.details["partner"] == "au.gateway" && received[0].record.details["partner_leaf"] == "7")
        // Our log names the partner's checkpoint holding its leaf 7, as the forward carried it.
        #expect(received[0].record.details["partner_checkpoint_size"] == "8")
        #expect(received[0].record.details["partner_checkpoint_root"] == Data(partnerRoot).base64EncodedString())
        let text = String(decoding: received[0].bytes, as: UTF8.self)
        for value in GatewayFixture.payloadValues { #expect(!text.contains(value)) }
        // The checkpoint our receipt named is the one our log signed.
        let store = try SQLiteStore.open(path: setup.served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        let covering = try #require(try await store.firstCheckpoint(covering: UInt64(leaf)))
        #expect(covering.size == UInt64(size) && Data(covering.rootHash).base64EncodedString() == root)
    }

    @Test func aForwardNamingACheckpointThatDoesNotHoldItsLeafIsRefused() async throws {
        let setup = try Setup("federation-receive-checkpoint")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        // Leaf 7 is the eighth leaf: a checkpoint of 7 leaves does not hold it.
        let short = try Setup.partnerCheckpoint(size: 7, root: Array(repeating: 1, count: 32))
        let answer = try await setup.post(try setup.forward(checkpoint: short).body)
        #expect(answer.status == 400 && answer.json["code"] as? String == "invalid-forward", "\(answer)")
        #expect((answer.json["detail"] as? String)?.contains("does not hold the key-binding JWT's audit leaf 7") == true, "\(answer)")
        let garbled = try await setup.post(try setup.forward(delivery: "d-au-2", checkpoint: "not a note").body)
        #expect(garbled.status == 400 && (garbled.json["detail"] as? String)?.contains("'checkpoint' is not a signed checkpoint note") == true)
        #expect(try await setup.inbox("nz.immigration").isEmpty)
    }

    @Test func aForwardOurAgreementDoesNotFullyAllowIsRefusedWithAProblemNamingPathsOnly() async throws {
        let setup = try Setup("federation-receive-refused")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        let answer = try await setup.post(try setup.forward(content: GatewayFixture.referral).body)
        #expect(answer.status == 422 && answer.json["code"] as? String == "partner-agreement-narrower", "\(answer)")
        let detail = answer.json["detail"] as? String ?? ""
        #expect(detail.contains("informant.name"), "\(detail)")
        for value in GatewayFixture.payloadValues { #expect(!detail.contains(value)) }
        #expect(try await setup.inbox("nz.immigration").isEmpty)
    }

    @Test func aGatewayCertificateFromACANotNamedForThePartnerIsRefusedAtTheHandshake() async throws {
        let setup = try Setup("federation-receive-wrong-ca")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        // A look-alike of the partner's CA (same name, another key) issues the same identity.
        let impostor = try PartnerCA(name: "au-impostor", certificates: setup.served.pki.directory.appendingPathComponent("elsewhere"))
        let client = try impostor.gatewayClient()
        let answer = try await setup.post(try setup.forward().body, certificate: client.certificateFile, key: client.keyFile)
        #expect(answer.status == nil, "\(answer)")
        // An agency certificate is not a gateway's either.
        let asAgency = try await setup.post(try setup.forward(delivery: "d-au-2").body,
                                            certificate: setup.served.pki.agencyTLSCertificate("au.abf"),
                                            key: setup.served.pki.agencyTLSKey("au.abf"))
        #expect(asAgency.status == 403 && asAgency.json["code"] as? String == "not-a-partner-gateway", "\(asAgency)")
        #expect(try await setup.inbox("nz.immigration").isEmpty)
    }
}
