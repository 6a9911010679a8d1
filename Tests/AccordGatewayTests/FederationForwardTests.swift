import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The sending half of federation (docs/federation.md, "Forwarding"): `accord serve` forwards a
/// delivery for an agency behind a partner gateway to the partner's endpoint over mutual TLS,
/// checking the partner's certificate against the partner's own CA. The partner's receiving
/// end here is `Tests/Interop/push_receiver.py` as au.abf, holding a server certificate from a
/// second, separate CA and verifying what arrives with the `sd-jwt` reference library.
@Suite(.serialized, .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct FederationForwardTests {
    struct Setup {
        let served: ServedGateway
        let partnerCA: PartnerCA
        let receiver: PushReceiver
        let content: URL
        /// The private key the stand-in partner signs its receipts with.
        let receiptKey: URL

        /// `partnerCertificateFromOwnCA`: the partner presents a certificate from the NZ
        /// gateway's CA instead of its own, as an impostor holding an NZ certificate would.
        /// `receiptsSignedByPinnedKey`: false signs receipts with a key other than the
        /// `binding_key:` the registry pins, as a partner that rotated without telling us would.
        init(_ label: String, partnerCertificateFromOwnCA: Bool = false, receiptsSignedByPinnedKey: Bool = true) throws {
            let port = try FreePort.find()
            served = try ServedGateway(label, agreements: { directory in
                try agreementsCopy(in: directory) { text in
                    text + """
                      - id: au.gateway
                        name: Australian Accord gateway
                        jurisdiction: AU
                        kind: gateway
                        ca: partners/au-ca.pem
                        endpoint: https://localhost:\(port)/v1/federation/deliveries
                        binding_key: partners/au-binding.pem
                        serves: [au.abf]

                    """
                }
            }, yaml: "push: {horizon_seconds: 3600, poll_milliseconds: 50}\n")
            partnerCA = try PartnerCA(name: "au", certificates: served.pki.directory)
            let pinned = try PrivateKey.generate(.es256)
            try pinned.publicKey.pem().write(to: partnerCA.directory.appendingPathComponent("au-binding.pem"), atomically: true, encoding: .utf8)
            receiptKey = served.directory.appendingPathComponent("au-receipt-key.pem")
            try (receiptsSignedByPinnedKey ? pinned : PrivateKey.generate(.es256)).pemPKCS8()
                .write(to: receiptKey, atomically: true, encoding: .utf8)
            let own = try (Certificate(pem: String(contentsOf: served.pki.caCertificate, encoding: .utf8)),
                           PrivateKey(pem: String(contentsOf: served.pki.caKey, encoding: .utf8)))
            receiver = try PushReceiver(for: "au.abf", port: port, pki: served.pki, in: served.directory,
                                        issuer: partnerCertificateFromOwnCA ? own : (partnerCA.certificate, partnerCA.key))
            content = served.directory.appendingPathComponent("request.json")
            try Data(#"""
                {"request": {"question": "prior travel", "urgency": "routine"},
                 "subject": {"family_name": "Kovac", "passport_number": "HR7712094"},
                 "informant": {"name": "officer 4471"}}
                """#.utf8).write(to: content)
        }

        func send() async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(served.accord, [
                "send", "--as", "nz.customs", "--gateway", "localhost:\(served.port)", "--pki", served.pki.directory.path,
                "--to", "au.abf", "--type", "intelligence-request", "--purpose", "border-security", content.path,
            ])
        }

        /// Whether `agency`'s inbox is empty within 30 s (a forward's acknowledgement recorded).
        func inboxEmpties(for agency: String) async throws -> Bool {
            await eventuallyHolds(within: .seconds(30)) {
                let output = try await served.curl("/v1/inbox", as: agency)
                let page = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
                return (page?["items"] as? [Any])?.isEmpty == true
            }
        }

        /// Starts the stand-in partner (signing receipts with `receiptKey`, or refusing with
        /// `refuse`) and then the gateway, runs `body` with the gateway's process once it serves,
        /// and kills both by pid however `body` ends.
        func running(receiptKey: URL? = nil, refuse: String? = nil, _ body: (BackgroundProcess) async throws -> Void) async throws {
            let receiver = try await self.receiver.start(refuse: refuse, receiptKey: receiptKey)
            defer { kill(receiver.processIdentifier, SIGKILL) }
            let server = try served.start()
            defer { kill(server.processIdentifier, SIGKILL) }
            try #require(try await served.waitUntilServing(server), "accord serve did not start")
            try await body(server)
        }

        func auditRecords(_ events: [AuditEvent]) async throws -> [AuditRecord] {
            let store = try SQLiteStore.open(path: served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            return try await store.query(AuditQuery(events: events)).map(\.record)
        }
    }

    /// The partner's CA is part of the trust the gateway loads; `accord certificates reload`
    /// loads it too, so it reads an unchanged directory as unchanged and waits for the digest the
    /// gateway records, instead of for one that never comes.
    @Test func theReloadCommandCountsThePartnersCA() async throws {
        let setup = try Setup("federation-reload")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try #require(try await setup.served.waitUntilServing(server))
        let reload = ["certificates", "reload", "--config", setup.served.config.path, "--timeout", "60"]
        let unchanged = try await ExternalProcess.run(setup.served.accord, reload)
        #expect(unchanged.status == 0 && unchanged.standardOutput.contains("unchanged"), "\(unchanged.standardOutput)\(unchanged.standardError)")

        try TrustReloadTests.publishCRL(setup.served.pki, revoking: [])
        let reloaded = try await ExternalProcess.run(setup.served.accord, reload)
        #expect(reloaded.status == 0 && reloaded.standardOutput.contains("reloaded"), "\(reloaded.standardOutput)\(reloaded.standardError)")
        kill(server.processIdentifier, SIGTERM)
        _ = await server.finish()
    }

    @Test func aDeliveryToAnAgencyBehindAPartnerIsForwardedAndVerifiesOnTheOtherSide() async throws {
        let setup = try Setup("federation-forward")
        defer { setup.served.remove() }
        try await setup.running(receiptKey: setup.receiptKey) { server in
            let sent = try await setup.send()
            try #require(sent.status == 0, "\(sent.standardError)")
            let post = try #require(await eventually { setup.receiver.posts.count == 1 } ? setup.receiver.posts.first : nil)
            #expect(post.status == 200 && post.consistent)
            #expect(post.verified == true, "the sd-jwt reference library did not verify the forwarded presentation as au.abf")
            #expect(post.client == ["urn:accord:gateway:push"], "\(post.client)")
            #expect(setup.receiver.filed == [post.deliveryID])
            // The informant is never disclosed to au.abf (customs-abf-s318): it must not have crossed.
            let filed = try String(contentsOf: setup.receiver.inbox.appendingPathComponent("\(post.deliveryID).json"), encoding: .utf8)
            #expect(!filed.contains("officer 4471"))
            #expect(try await setup.inboxEmpties(for: "au.abf"), "the partner's signed receipt was not recorded as the acknowledgement")

            kill(server.processIdentifier, SIGTERM)
            _ = await server.finish()
            let records = try await setup.auditRecords([.messageDelivered, .messageAcknowledged])
            #expect(records.filter { $0.event == .messageAcknowledged }.map { $0.details["via"] } == ["partner"])
            #expect(records.allSatisfy { $0.deliveryID == post.deliveryID })
        }
    }

    @Test func aReceiptNotSignedWithThePartnersPinnedKeyIsNotAnAcknowledgementAndTheForwardIsRetried() async throws {
        let setup = try Setup("federation-bad-receipt", receiptsSignedByPinnedKey: false)
        defer { setup.served.remove() }
        try await setup.running(receiptKey: setup.receiptKey) { server in
            try #require(try await setup.send().status == 0)
            // Retried at push's backoff (0.5 s doubling): the partner answers 200 each time, with a receipt we cannot verify.
            #expect(await eventually(timeout: .seconds(60)) { setup.receiver.posts.count >= 2 }, "the forward was not tried again")
            #expect(setup.receiver.posts.allSatisfy { $0.status == 200 } && setup.receiver.filed.count == 1)
            let inbox = try await setup.served.curl("/v1/inbox", as: "au.abf")
            let page = try? JSONSerialization.jsonObject(with: Data(inbox.standardOutput.utf8)) as? [String: Any]
            #expect((page?["items"] as? [Any])?.count == 1, "an unverifiable receipt was taken as the acknowledgement")

            kill(server.processIdentifier, SIGTERM)
            _ = await server.finish()
            #expect(try await setup.auditRecords([.messageAcknowledged]).isEmpty)
            let unacknowledged = try await setup.auditRecords([.messageForwardUnacknowledged])
            #expect(unacknowledged.count >= 2)
            #expect(unacknowledged.allSatisfy { $0.reason == "receipt-signature-invalid" && $0.details["partner"] == "au.gateway" && $0.to == ["au.abf"] })
            let store = try SQLiteStore.open(path: setup.served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            let push = try await store.pushRecords(recipient: "au.abf")
            #expect(push.first?.lastFailure == "receipt from au.gateway not verified: receipt-signature-invalid", "\(push)")
            let leaves = try await store.query(AuditQuery(events: [.messageForwardUnacknowledged]))
            for leaf in leaves {
                let text = String(decoding: leaf.bytes, as: UTF8.self)
                #expect(!text.contains("Kovac") && !text.contains("HR7712094") && !text.contains("prior travel"))
            }
        }
    }

    @Test func aPartnerThatIsDownThenBackReceivesTheForwardOnce() async throws {
        let setup = try Setup("federation-down")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        try #require(try await setup.send().status == 0)
        // Down for a few of push's backoff steps: the forward waits in au.abf's inbox meanwhile.
        try await Task.sleep(for: .seconds(3))
        #expect(setup.receiver.posts.isEmpty)
        let receiver = try await setup.receiver.start(receiptKey: setup.receiptKey)
        defer { kill(receiver.processIdentifier, SIGKILL) }
        #expect(await eventually(timeout: .seconds(30)) { setup.receiver.filed.count == 1 })
        #expect(try await setup.inboxEmpties(for: "au.abf"))
        let posts = setup.receiver.posts
        #expect(posts.map(\.status) == [200] && posts.first?.verified == true, "\(posts.map(\.status))")

        kill(server.processIdentifier, SIGTERM)
        _ = await server.finish()
        #expect(try await setup.auditRecords([.messageAcknowledged]).count == 1)
    }

    @Test func aPartnerWhoseCertificateIsNotFromItsOwnCAGetsNothing() async throws {
        let setup = try Setup("federation-wrong-ca", partnerCertificateFromOwnCA: true)
        defer { setup.served.remove() }
        try await setup.running { server in
            try #require(try await setup.send().status == 0)
            // Several tries at push's first backoff steps (0.5 s doubling), each a hand-out, audited.
            let tried = await eventuallyHolds(within: .seconds(60)) { try await setup.auditRecords([.messageDelivered]).count >= 2 }
            #expect(tried, "the forward was not tried twice")
            #expect(setup.receiver.posts.isEmpty && setup.receiver.filed.isEmpty,
                    "a partner endpoint with a certificate from another CA than the registry's received the forward")
            kill(server.processIdentifier, SIGTERM)
            _ = await server.finish()
            // It failed at the handshake, and is still owed.
            #expect(try await setup.auditRecords([.messageAcknowledged]).isEmpty)
        }
    }

    @Test func aPartnersRefusalIsFinalAuditedAndShownToTheSender() async throws {
        let setup = try Setup("federation-refused")
        defer { setup.served.remove() }
        try await setup.running(refuse: "partner-agreement-narrower") { server in
            let sent = try await setup.send()
            try #require(sent.status == 0, "\(sent.standardError)")
            let accepted = try #require(sent.standardOutput.split(separator: "\n").first { $0.hasPrefix("accepted: message ") })
            let messageID = try #require(accepted.dropFirst("accepted: message ".count).split(separator: " ").first.map(String.init))
            let path = "/v1/messages/\(messageID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? messageID)"

            var refusal: [String: Any]?
            _ = await eventuallyHolds(within: .seconds(30)) {
                let output = try await setup.served.curl(path, as: "nz.customs")
                let status = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
                let deliveries = status?["deliveries"] as? [[String: Any]] ?? []
                refusal = deliveries.first?["partner_refusal"] as? [String: Any]
                return refusal != nil
            }
            #expect(refusal?["partner"] as? String == "au.gateway")
            #expect(refusal?["reason"] as? String == "partner-agreement-narrower")
            // Final: the refusal is not retried, and nothing was filed on the other side.
            try await Task.sleep(for: .seconds(2))
            #expect(setup.receiver.posts.map(\.status) == [422])
            #expect(setup.receiver.filed.isEmpty)

            kill(server.processIdentifier, SIGTERM)
            _ = await server.finish()
            let refused = try await setup.auditRecords([.messageForwardRefused])
            #expect(refused.count == 1)
            #expect(refused.first?.reason == "partner-agreement-narrower" && refused.first?.details["partner"] == "au.gateway")
            #expect(refused.first?.to == ["au.abf"] && refused.first?.messageID == MessageID(messageID))
        }
    }

    @Test func aPartnerClaimingToServeANewZealandAgencyIsRefusedByAgreementsCheck() async throws {
        let directory = try PackageRoot.temporaryDirectory("federation-claim")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = try agreementsCopy(in: directory) { text in
            text + """
              - id: au.gateway
                name: Australian Accord gateway
                jurisdiction: AU
                kind: gateway
                ca: partners/au-ca.pem
                endpoint: https://au.example/v1/federation/deliveries
                binding_key: partners/au-binding.pem
                serves: [au.abf, nz.police]

            """
        }
        let registry = try String(contentsOf: agreements.appendingPathComponent("agencies.yaml"), encoding: .utf8)
        let line = registry.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("serves: [au.abf, nz.police]") }! + 1
        let checked = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["agreements", "check", agreements.path])
        #expect(checked.status != 0)
        let output = checked.standardOutput + checked.standardError
        #expect(output.contains("agencies.yaml:\(line):22:"), "\(output)")
        #expect(output.contains("partner-serves-own-agency"), "\(output)")
    }
}
