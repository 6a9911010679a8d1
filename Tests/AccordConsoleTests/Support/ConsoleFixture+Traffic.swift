import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The fixture's gateway at work: started as `accord serve` starts on a new database, then
/// sent messages by agencies' systems and picked up by their recipients, so that every record
/// the console reads is one the gateway wrote.
extension ConsoleFixture {
    /// Records the set in force, as `accord serve` does on a database that has none (the
    /// console's agreement changes start from it), then sends the traffic.
    func start() async throws {
        let started = try await gateway.activateAgreements(from: agreements, by: "gateway")
        guard case .activated = started else {
            Issue.record("the gateway did not start with the fixture's agreements: \(started)")
            return
        }
        try await sendTraffic()
    }

    /// Referrals from Immigration NZ to Police naming passport NZ4455667, one on each of the
    /// last three days, each picked up once by Police; then two messages held for a privacy
    /// officer: a request to Fiji (every disclosure overseas is held) and Police's
    /// victim-protection referral to Immigration NZ with the informant withheld and hostile
    /// text in its case reference; then a checkpoint over all of it.
    func sendTraffic() async throws {
        var cursor: String?
        for daysAgo in [2, 1, 0] {
            clock.set(now.addingTimeInterval(-Double(daysAgo) * 86_400))
            let receipt = try await send(from: "nz.immigration", to: "nz.police", type: "referral", purpose: "law-enforcement", content: [
                "subject": ["family_name": "Ratu", "passport_number": "NZ4455667"], "summary": "Worker reports passport held by employer",
            ])
            traffic.record(.deliveredToPolice(daysAgo: daysAgo), receipt)
            // Each poll picks up only what arrived since the last one: one pick-up per delivery.
            let page = try await gateway.inbox(for: "nz.police", after: cursor, limit: nil)
            try #require(page.items.map(\.deliveryID) == receipt.recipients.map(\.deliveryID), "Police did not pick up the referral it was sent")
            cursor = page.next
        }
        clock.set(now)
        traffic.record(.heldToFiji, try await send(
            from: "nz.immigration", to: "fj.immigration", type: "intelligence-request", purpose: "law-enforcement",
            content: ["request": ["question": "Known travel of the subject"], "subject": ["family_name": "Ratu", "passport_number": "FJ998877"]]))
        traffic.record(.heldToImmigration, try await send(
            from: "nz.police", to: "nz.immigration", type: "referral", purpose: "victim-protection", classification: "SENSITIVE",
            caseReference: "CASE-\(Self.hostile)",
            content: ["subject": ["family_name": "Tupou", "visa_number": "V998877"], "victim_status": "suspected-victim",
                      "informant": ["name": "Mele Informant"]]))
        for name in [SentMessages.Name.heldToFiji, .heldToImmigration] {
            try #require(try sent(name).status == "held", "\(name) was not held for review")
        }
        _ = try await store.checkpointNow()
    }

    /// Sends a message as `agency`'s system does: issued with the agency's development signing
    /// key, bound to the gateway's key, submitted on the agency's behalf. The gateway's clock
    /// gives its issue time.
    @discardableResult
    func send(
        from agency: String, to recipient: String, type: String, purpose: String, classification: String = "IN-CONFIDENCE",
        caseReference: String? = nil, content: [String: JSONValue]
    ) async throws -> SubmissionReceipt {
        let key = try PrivateKey(pemFile: pki.agencySigningKey(agency).path)
        let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
        let issuedAt = Int(clock.now().timeIntervalSince1970)
        var routing: [String: JSONValue] = [
            "type": .string(type), "to": [.string(recipient)], "purpose": .string(purpose), "classification": .string(classification),
        ]
        if let caseReference { routing["case_ref"] = .string(caseReference) }
        var claims = content
        claims["iss"] = .string(agency)
        claims["jti"] = .string(UUID().uuidString)
        claims["iat"] = .integer(issuedAt)
        claims["exp"] = .integer(issuedAt + 3600)
        claims["accord"] = .object(routing)
        return try await gateway.submit(try issuer.issue(claims, holderKey: gateway.keys.bindingKey.publicKey), from: AgencyID(agency))
    }

    /// A message the traffic sent, by what it was sent for.
    func sent(_ name: SentMessages.Name) throws -> SentMessage {
        try traffic.message(name)
    }
}
