import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Two gateways joined as in `TwoGatewayFederationTests` (its `Pair`), when something goes
/// wrong (docs/federation.md): the Australian gateway refuses a forward under its own
/// agreement, is down for a while, or presents a certificate from a CA New Zealand does not
/// pin for it; and a registry in which the partner claims one of the gateway's own agencies.
@Suite(.serialized, .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct TwoGatewayUnhappyPathTests {
    typealias Pair = TwoGatewayFederationTests.Pair

    /// Australia's inbound agreement without `request`, which New Zealand's discloses.
    static let narrowerAustralianAgreement = TwoGatewayFederationTests.australianAgreement
        .replacingOccurrences(of: "disclose: [request, ", with: "disclose: [")

    /// The deliveries of `messageID` as nz.customs sees them in `GET /v1/messages/{id}`.
    static func deliveries(_ nz: ServedGateway, of messageID: String) async throws -> [[String: Any]] {
        let path = "/v1/messages/\(messageID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? messageID)"
        let output = try await nz.curl(path, as: "nz.customs")
        let status = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return status?["deliveries"] as? [[String: Any]] ?? []
    }

    @Test func aForwardTheAustralianAgreementDoesNotFullyAllowIsReportedBackWithThePartnersReason() async throws {
        #expect(Self.narrowerAustralianAgreement != TwoGatewayFederationTests.australianAgreement)
        let pair = try Pair(australianInbound: Self.narrowerAustralianAgreement)
        defer { pair.remove() }
        try await pair.join()
        let (nz, au) = try await pair.start()
        defer { kill(nz.processIdentifier, SIGKILL); kill(au.processIdentifier, SIGKILL) }
        try #require(try await TwoGatewayFederationTests.serving(pair.au, as: "au.abf"), "the Australian gateway did not start")
        try #require(try await TwoGatewayFederationTests.serving(pair.nz, as: "nz.customs"), "the New Zealand gateway did not start")

        let messageID = try await pair.sendCustomsRequest()
        var refusal: [String: Any]?
        _ = try await TwoGatewayFederationTests.within(60) {
            refusal = try await Self.deliveries(pair.nz, of: messageID).first?["partner_refusal"] as? [String: Any]
            return refusal != nil
        }
        #expect(refusal?["partner"] as? String == "au.gateway", "\(refusal ?? [:])")
        #expect(refusal?["reason"] as? String == "partner-agreement-narrower", "\(refusal ?? [:])")
        #expect(try await TwoGatewayFederationTests.inbox(pair.au, as: "au.abf").isEmpty)

        kill(nz.processIdentifier, SIGTERM)
        kill(au.processIdentifier, SIGTERM)
        _ = await nz.finish()
        _ = await au.finish()
        // Final on both sides: refused once, audited with the partner's exact code, nothing received.
        let refused = try await TwoGatewayFederationTests.records(pair.nz, [.messageForwardRefused])
        #expect(refused.map(\.record.reason) == ["partner-agreement-narrower"])
        #expect(refused.first?.record.details["partner"] == "au.gateway" && refused.first?.record.messageID == MessageID(messageID))
        #expect(try await TwoGatewayFederationTests.records(pair.nz, [.messageDelivered]).count == 1)
        #expect(try await TwoGatewayFederationTests.records(pair.au, [.messageReceivedFromPartner]).isEmpty)
    }

    @Test func theAustralianGatewayDownThenBackReceivesTheForwardExactlyOnce() async throws {
        let pair = try Pair()
        defer { pair.remove() }
        try await pair.join()
        let nz = try pair.nz.start()
        defer { kill(nz.processIdentifier, SIGKILL) }
        try #require(try await TwoGatewayFederationTests.serving(pair.nz, as: "nz.customs"), "the New Zealand gateway did not start")

        _ = try await pair.sendCustomsRequest()
        // Down for a few of push's backoff steps: each try is handed out (audited) and fails.
        #expect(try await TwoGatewayFederationTests.within(60) {
            try await TwoGatewayFederationTests.records(pair.nz, [.messageDelivered]).count >= 2
        })
        let au = try pair.au.start()
        defer { kill(au.processIdentifier, SIGKILL) }
        #expect(try await TwoGatewayFederationTests.within(60) {
            try await TwoGatewayFederationTests.records(pair.nz, [.messageAcknowledged]).count == 1
        }, "the forward was not acknowledged once the Australian gateway was back")
        #expect(try await TwoGatewayFederationTests.inbox(pair.au, as: "au.abf").count == 1)

        kill(nz.processIdentifier, SIGTERM)
        kill(au.processIdentifier, SIGTERM)
        _ = await nz.finish()
        _ = await au.finish()
        #expect(try await TwoGatewayFederationTests.records(pair.au, [.messageReceivedFromPartner]).count == 1)
        #expect(try await TwoGatewayFederationTests.records(pair.nz, [.messageAcknowledged]).count == 1)
        #expect(try await TwoGatewayFederationTests.auditVerify(pair.nz).status == 0)
        #expect(try await TwoGatewayFederationTests.auditVerify(pair.au).status == 0)
    }

    @Test func aPartnerCertificateFromAnotherCAThanThePinnedOneIsRefusedBothWays() async throws {
        let pair = try Pair()
        defer { pair.remove() }
        try await pair.join()
        // New Zealand pins a look-alike of Australia's CA: neither Australia's server certificate
        // nor its push client certificate chains to what New Zealand's registry names.
        let lookalike = try PartnerCA(name: "au", certificates: pair.nz.directory.appendingPathComponent("lookalike"))
        let pinned = pair.nz.pki.directory.appendingPathComponent("partners/au-ca.pem")
        try FileManager.default.removeItem(at: pinned)
        try lookalike.certificate.pem().write(to: pinned, atomically: true, encoding: .utf8)
        let (nz, au) = try await pair.start()
        defer { kill(nz.processIdentifier, SIGKILL); kill(au.processIdentifier, SIGKILL) }
        try #require(try await TwoGatewayFederationTests.serving(pair.au, as: "au.abf"), "the Australian gateway did not start")
        try #require(try await TwoGatewayFederationTests.serving(pair.nz, as: "nz.customs"), "the New Zealand gateway did not start")

        _ = try await pair.sendCustomsRequest()
        let referral = pair.au.directory.appendingPathComponent("referral.json")
        try Data(#"{"subject": {"family_name": "Tupou", "passport_number": "FJ1234567"}, "summary": "passport held"}"#.utf8).write(to: referral)
        let sent = try await ExternalProcess.run(pair.au.accord, [
            "send", "--as", "au.abf", "--gateway", "localhost:\(pair.au.port)", "--pki", pair.au.pki.directory.path,
            "--to", "nz.immigration", "--type", "referral", "--purpose", "law-enforcement", referral.path,
        ])
        try #require(sent.status == 0, "\(sent.standardError)")
        // Both sides try, at push's backoff, and fail at the handshake.
        #expect(try await TwoGatewayFederationTests.within(60) {
            let nzTries = try await TwoGatewayFederationTests.records(pair.nz, [.messageDelivered]).count
            let auTries = try await TwoGatewayFederationTests.records(pair.au, [.messageDelivered]).count
            return nzTries >= 2 && auTries >= 2
        })
        #expect(try await TwoGatewayFederationTests.inbox(pair.au, as: "au.abf").isEmpty)
        #expect(try await TwoGatewayFederationTests.inbox(pair.nz, as: "nz.immigration").isEmpty)

        kill(nz.processIdentifier, SIGTERM)
        kill(au.processIdentifier, SIGTERM)
        _ = await nz.finish()
        _ = await au.finish()
        for served in [pair.nz, pair.au] {
            #expect(try await TwoGatewayFederationTests.records(served, [.messageReceivedFromPartner, .messageAcknowledged]).isEmpty)
        }
        // New Zealand refused Australia's client certificate at its listener, and says so in its log.
        #expect(try await !TwoGatewayFederationTests.records(pair.nz, [.certificateRejected]).isEmpty)
    }

    @Test func aGatewayWhoseRegistryHasThePartnerServeOneOfItsOwnAgenciesDoesNotStart() async throws {
        let pair = try Pair()
        defer { pair.remove() }
        try await pair.join()
        // Each side's registry has the other's gateway claim one of its own agencies.
        for (served, claimed, by) in [(pair.nz, "nz.immigration", "au.gateway"), (pair.au, "au.abf", "nz.gateway")] {
            let registry = served.agreements.appendingPathComponent("agencies.yaml")
            let text = try String(contentsOf: registry, encoding: .utf8)
            let entry = try #require(text.range(of: "  - id: \(by)\n"))
            let serves = try #require(text.range(of: "serves: [", range: entry.upperBound..<text.endIndex))
            let edited = text.replacingCharacters(in: serves, with: "serves: [\(claimed), ")
            try edited.write(to: registry, atomically: true, encoding: .utf8)
            let line = edited.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("serves: [\(claimed), ") }.map { $0 + 1 } ?? 0

            let process = try served.start()
            defer { kill(process.processIdentifier, SIGKILL) }
            let said = try await TwoGatewayFederationTests.within(60) { process.standardErrorSoFar.contains("partner-serves-own-agency") }
            // It stops by itself: a gateway that served on would never finish.
            let stopped = try await TwoGatewayFederationTests.within(60) { !process.isRunning }
            if !stopped { kill(process.processIdentifier, SIGKILL) }
            let output = await process.finish()
            #expect(said && stopped && output.status != 0, "accord serve started with \(by) claiming \(claimed): \(output.standardError.suffix(2000))")
            #expect(output.standardError.contains("agencies.yaml:\(line):"), "\(output.standardError.suffix(2000))")
            #expect(try await served.curl("/healthz", as: claimed, maxTime: 2).status != 0)
        }
    }
}
