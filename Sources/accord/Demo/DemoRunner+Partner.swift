import AccordAudit
import AccordClient
import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordServer
import AccordStore
import AccordTLS
import Foundation

/// The Australian gateway as the demo's au.abf system reaches it.
struct DemoPartnerSide {
    let partner: DemoPartner
    let server: GatewayServer
    let port: Int
}

extension DemoRunner {
    /// A delivery to an agency behind a partner gateway: our gateway forwards it, and the
    /// agency's system pulls it from its own gateway. Shows both logs naming each other's leaf
    /// and checkpoint (docs/federation.md, "What each side logs").
    func deliverForwarded(_ recipient: SubmissionReceipt.Recipient, of receipt: SubmissionReceipt, through side: DemoPartnerSide) async throws {
        let gatewayID = server.gateway.policy.current.policy.set.gatewayServing[recipient.recipient]?.id ?? DemoPartner.gatewayID
        print("   forwarded by this gateway to \(gatewayID), the Australian gateway on https://localhost:\(side.port), over mutual TLS")
        let context = try TLSContext.agencyClient(pkiDirectory: side.partner.pki.directory, agency: recipient.recipient.rawValue, serverName: "localhost")
        let connection = try await AccordHTTPConnection.connect(host: "localhost", port: side.port, context: context)
        let client = GatewayClient(connection: connection, agency: recipient.recipient.rawValue, pki: side.partner.pki.directory)
        defer { Task { await client.close() } }
        let item = try await arrival(of: receipt.messageID, in: client)
        // The key binding is New Zealand's, for this recipient and New Zealand's delivery id.
        let verified = try side.partner.recipientVerifier().verify(
            item.presentation, now: now(), keyBinding: KeyBindingExpectation(audience: recipient.recipient, nonce: recipient.deliveryID))
        print("   \(recipient.recipient) received and verified at the Australian gateway (issuer signature, New Zealand gateway binding):")
        let content = verified.claims.filter { !ClearClaims.names.contains($0.key) }
        for (path, value) in Self.flatten(content) { print("     \(path) = \(value)") }
        print("   withheld: " + (recipient.withheld.isEmpty ? "nothing" : style.held(recipient.withheld.joined(separator: ", "))))
        _ = try await client.call("POST", "/v1/inbox/\(item.deliveryID)/ack")

        let acknowledged = try await firstRecord(.messageAcknowledged, of: receipt.messageID, in: server.store)
        let received = try await firstRecord(.messageReceivedFromPartner, of: receipt.messageID, in: side.server.store)
        let ours = received.record.details
        let theirs = acknowledged.record.details
        print("   New Zealand log: leaf \(ours["partner_leaf"] ?? "?") message.delivered; leaf \(acknowledged.index) message.acknowledged names "
              + "Australian leaf \(theirs["partner_leaf"] ?? "?") and the Australian checkpoint of \(theirs["partner_checkpoint_size"] ?? "?") leaves")
        print("   Australian log: leaf \(received.index) message.received-from-partner names New Zealand leaf \(ours["partner_leaf"] ?? "?") "
              + "and the New Zealand checkpoint of \(ours["partner_checkpoint_size"] ?? "?") leaves")
    }

    /// Shows that a flow to an agency behind the partner without an IPP 12 ground never loads.
    func refuseFlowWithoutGround(agreements: URL, scratch: URL, number: Int) throws {
        print("")
        print(style.heading("\(number). A Customs flow to the Australian Border Force without an IPP 12 ground"))
        print("   customs-abf-s318 with its ipp12_safeguard taken out, loaded as the gateway would load it:")
        let diagnostics = try DemoPartner.withoutSafeguard(agreements, scratch: scratch, on: CalendarDate(now()))
            .filter { $0.check == .overseasWithoutSafeguard }
        guard !diagnostics.isEmpty else {
            print("   " + style.bad("error: the set loaded without a ground"))
            return
        }
        for diagnostic in diagnostics {
            let place = "\(URL(fileURLWithPath: diagnostic.location.file).lastPathComponent):\(diagnostic.location.line):\(diagnostic.location.column)"
            print("   " + style.bad("refused before it leaves") + ": \(place) \(diagnostic.check.rawValue): \(diagnostic.message)")
        }
        print("   the agreement set does not load, so no message under it is accepted, let alone forwarded")
    }

    /// Pages through the inbox until the message arrives (a forward takes a moment).
    private func arrival(of messageID: MessageID, in client: GatewayClient) async throws -> InboxItem {
        for _ in 0..<300 {
            var after = "0"
            while true {
                let page = try await client.read(InboxPage.self, "GET", "/v1/inbox?after=\(after)&limit=100").value
                if let item = page.items.first(where: { $0.messageID == messageID }) { return item }
                if page.items.isEmpty { break }
                after = page.next
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("message \(messageID) did not reach the Australian gateway within 30 seconds")
    }

    private func firstRecord(_ event: AuditEvent, of messageID: MessageID, in store: any AuditReading) async throws -> AuditLeaf {
        for _ in 0..<100 {
            if let leaf = try await store.query(AuditQuery(events: [event], messageID: messageID)).first { return leaf }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("no \(event.rawValue) record for message \(messageID) within 10 seconds")
    }
}
