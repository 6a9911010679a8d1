import AccordCore
import AccordAudit
import AccordClient
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordServer
import AccordStore
import AccordTLS
import Foundation

/// Drives the demo's exchanges as the agency systems would, over their own mTLS connections,
/// and prints what each side saw.
struct DemoRunner {
    let server: GatewayServer
    let port: Int
    let pki: URL
    let style: DemoStyle
    /// The demo's clock (`accord demo --at`), which dates the messages the agencies issue.
    let now: @Sendable () -> Date
    /// The Australian gateway, when the demo runs one: deliveries to the agency behind it are
    /// forwarded there and pulled from it.
    var partner: DemoPartnerSide?

    func connection(_ agency: String) async throws -> GatewayClient {
        let context = try TLSContext.agencyClient(pkiDirectory: pki, agency: agency, serverName: "localhost")
        let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
        return GatewayClient(connection: connection, agency: agency, pki: pki)
    }

    func run(_ scenario: DemoScenario, number: Int) async {
        print("")
        print(style.heading("\(number). \(scenario.title)"))
        print("   \(scenario.from) → \(scenario.to.joined(separator: ", ")): \(scenario.type), purpose \(scenario.purpose), \(scenario.classification)")
        print("   sent:")
        for (path, value) in Self.flatten(scenario.content) { print("     \(path) = \(value)") }
        do {
            let sender = try await connection(scenario.from)
            defer { Task { await sender.close() } }
            var text = try MessageFile.issue(
                content: scenario.content, as: scenario.from,
                signingKey: pki.appendingPathComponent("agencies/\(scenario.from)/signing-key.pem").path,
                to: scenario.to, type: scenario.type, purpose: scenario.purpose, classification: scenario.classification,
                caseRef: nil, agreement: nil, jti: UUID().uuidString.lowercased(), holder: server.gateway.keys.bindingKey.publicKey,
                issuedAt: now())
            if scenario.twist == .tampered { text = Self.tamper(text, addingRecipient: "nz.customs") }
            let response = try await sender.connection.request(
                method: "POST", path: "/v1/messages", headers: [("Content-Type", "application/sd-jwt")], body: Array(text.utf8))
            guard response.status == 202 else {
                let refusal = GatewayRefusal(response: response)
                print("   " + style.bad("refused \(refusal.status) \(refusal.code)") + ": \(refusal.detail)")
                return
            }
            let receipt = try SubmissionReceipt(json: Array(response.body))
            for recipient in receipt.recipients { try await deliver(recipient, of: receipt) }
        } catch {
            print("   " + style.bad("error: \(error)"))
        }
    }

    private func deliver(_ recipient: SubmissionReceipt.Recipient, of receipt: SubmissionReceipt) async throws {
        let agreement = server.gateway.policy.current.policy.set.agreement(id: recipient.agreement)
        let basis = agreement?.legalBasis.map { "\($0.instrument) \($0.provision)" }.joined(separator: "; ") ?? ""
        print("   " + style.good("accepted") + " for \(recipient.recipient) under \(recipient.agreement)" + style.dim(" (\(basis))"))
        if recipient.status == "held" {
            print("   " + style.held("held for the privacy officer") + "; released in review as the demo's officer")
            _ = try await server.gateway.review(deliveryID: recipient.deliveryID, release: true, by: "urn:accord:operator:privacy-officer:officer")
        }
        if let partner, server.gateway.policy.current.policy.set.gatewayServing[recipient.recipient] != nil {
            try await deliverForwarded(recipient, of: receipt, through: partner)
            return
        }
        let client = try await connection(recipient.recipient.rawValue)
        defer { Task { await client.close() } }
        let item = try await find(recipient.deliveryID, in: client)
        let verified = try RecipientVerifier(pki: pki).verify(item, as: recipient.recipient.rawValue, now: now())
        print("   \(recipient.recipient) received and verified (issuer signature, gateway binding, audit leaf \(item.auditLeaf)):")
        let content = verified.claims.filter { !ClearClaims.names.contains($0.key) }
        for (path, value) in Self.flatten(content) { print("     \(path) = \(value)") }
        print("   withheld: " + (recipient.withheld.isEmpty ? "nothing" : style.held(recipient.withheld.joined(separator: ", "))))
        _ = try await client.call("POST", "/v1/inbox/\(item.deliveryID)/ack")
    }

    /// Pages through the recipient's inbox to the delivery (older demo runs may have left items).
    private func find(_ deliveryID: DeliveryID, in client: GatewayClient) async throws -> InboxItem {
        var after = "0"
        while true {
            let page = try await client.read(InboxPage.self, "GET", "/v1/inbox?after=\(after)&limit=100").value
            if let item = page.items.first(where: { $0.deliveryID == deliveryID }) { return item }
            guard !page.items.isEmpty else { throw DemoError("delivery \(deliveryID) is not in the inbox") }
            after = page.next
        }
    }

    /// Verifies `server`'s audit log (the demo's gateway when nil) as `accord audit verify` does.
    func verifyAuditLog(of other: GatewayServer? = nil, title: String = "Audit log") async throws {
        let server = other ?? self.server
        let store = server.store
        _ = try await store.checkpointNow()
        let verifier = try NoteVerifier(name: server.configuration.auditOrigin, publicKey: server.gateway.keys.auditKey.publicKey)
        print("")
        print(style.heading(title))
        switch try await store.verifyLog(origin: server.configuration.auditOrigin, verifier: verifier, pageSize: 20_000, progress: { _, _ in }) {
        case .verified(let summary) where summary.isClean:
            print("   " + style.good("verified") + ": \(summary.leafCount) leaves, \(summary.checkpointsVerified) signed checkpoints consistent")
        case .verified(let summary):
            print("   " + style.bad("INDEX CHANGED") + ": \(summary.indexMismatchCount) row(s) disagree with their leaves")
        case .diverged(let divergence):
            print("   " + style.bad("DOES NOT VERIFY") + ": \(divergence)")
        }
        if let latest = try await store.latestCheckpoint() {
            print("   latest checkpoint:")
            for line in latest.note.split(separator: "\n", omittingEmptySubsequences: false) { print("     " + line) }
        }
    }

    /// Rewrites the issuer JWT's payload (adding a recipient) without re-signing it.
    static func tamper(_ text: String, addingRecipient extra: String) -> String {
        var parts = text.split(separator: "~", omittingEmptySubsequences: false).map(String.init)
        let jws = parts[0].split(separator: ".").map(String.init)
        guard jws.count == 3, let payload = try? Base64URL.decode(jws[1]), case .object(var claims) = try? JSONParser.parse(payload),
              case .object(var accord) = claims["accord"], case .array(let to) = accord["to"] else { return text }
        accord["to"] = .array(to + [.string(extra)])
        claims["accord"] = .object(accord)
        guard let tampered = try? CanonicalJSON.encode(.object(claims)) else { return text }
        parts[0] = [jws[0], Base64URL.encode(tampered), jws[2]].joined(separator: ".")
        return parts.joined(separator: "~")
    }

    static func flatten(_ claims: [String: JSONValue]) -> [(String, String)] {
        var lines: [(String, String)] = []
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .object(let members):
                for (name, member) in members.sorted(by: { $0.key < $1.key }) where name != "_sd" {
                    walk(member, path.isEmpty ? name : "\(path).\(name)")
                }
            default:
                lines.append((path, InboxPrinter.display(value)))
            }
        }
        walk(.object(claims), "")
        return lines
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
