import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordStore
import Foundation
import Testing

/// Every refusal names its reason, changes nothing but the audit log, and is audited.
@Suite struct RefusalTests {
    func refusal(_ fixture: GatewayFixture, _ text: String, from agency: AgencyID) async throws -> GatewayProblem {
        let leavesBefore = try await fixture.store.leafCount()
        let problem = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: agency) })
        // Exactly the refusal's audit leaves were added, and no message or delivery stored.
        let added = try await fixture.store.query(AuditQuery()).filter { $0.index >= leavesBefore }
        #expect(!added.isEmpty && added.allSatisfy { $0.record.event == .messageDenied && $0.record.reason != nil })
        #expect(try await fixture.store.inbox(recipient: "nz.police", states: DeliveryState.allCases, afterSequence: 0, limit: 100).isEmpty)
        return problem
    }

    @Test func aMessageSignedByAnotherAgencyThanTheTLSPeerIsRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let problem = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.customs")
            #expect(problem.code == "identity-mismatch" && problem.status == 403)
            #expect(problem.detail.contains("nz.immigration") && problem.detail.contains("nz.customs"))
        }
    }

    @Test func aFlowNoAgreementCoversIsRefusedForEveryRecipient() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let none = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: ["nz.police"], purpose: "marketing"), from: "nz.immigration")
            #expect(none.status == 403 && none.code == "no-agreement", "\(none)")
            // One covered recipient and one not: nothing goes anywhere.
            let mixed = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: ["nz.police", "au.abf"]), from: "nz.immigration")
            #expect(mixed.status == 403 && mixed.detail.contains("au.abf") && !mixed.detail.contains("to 'nz.police'"), "\(mixed)")
        }
    }

    @Test func tamperedExpiredAndUnboundMessagesAreRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let good = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
            var parts = good.split(separator: ".", maxSplits: 2).map(String.init)
            parts[1] = String(parts[1].dropLast(2)) + (parts[1].hasSuffix("AA") ? "BB" : "AA")
            let tampered = try await refusal(fixture, parts.joined(separator: "."), from: "nz.immigration")
            #expect(["signature-invalid", "invalid-base64url", "invalid-json"].contains(tampered.code), "\(tampered)")

            let expired = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: ["nz.police"], issuedAt: Date().addingTimeInterval(-7200), lifetime: 600), from: "nz.immigration")
            #expect(expired.code == "expired" && expired.status == 422)

            let otherHolder = try PrivateKey.generate(.es256).publicKey
            let unbound = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: ["nz.police"], holderKey: otherHolder), from: "nz.immigration")
            #expect(unbound.code == "holder-key-mismatch")

            let garbage = try await refusal(fixture, "not an sd-jwt", from: "nz.immigration")
            #expect(garbage.code == "malformed-serialization" && garbage.status == 400)
        }
    }

    @Test func aMessageFromAnAgencyWithoutASigningCertificateIsRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            // Signed with a key no certificate vouches for, under a real agency's name.
            let rogue = try PrivateKey.generate(.es256)
            let issuer = try SDJWTIssuer(signingKey: rogue, kid: rogue.publicKey.jwk.thumbprintBase64URL)
            let text = try issuer.issue([
                "iss": "nz.immigration", "jti": "rogue-1", "iat": .integer(Int(Date().timeIntervalSince1970)),
                "exp": .integer(Int(Date().timeIntervalSince1970) + 600),
                "accord": .object(["type": "referral", "to": .array(["nz.police"]), "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"]),
                "summary": "x",
            ], holderKey: fixture.keys.bindingKey.publicKey)
            let problem = try await refusal(fixture, text, from: "nz.immigration")
            #expect(problem.code == "issuer-key-unresolved" && problem.status == 403)
        }
    }

    @Test func tooManyRecipientsAreRefusedWithoutRecordingTheirNames() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let names = (0..<40).map { "x\($0)-recipient" }
            let problem = try await refusal(fixture, try fixture.issue(from: "nz.immigration", to: names), from: "nz.immigration")
            #expect(problem.code == "too-many-recipients" && problem.status == 400)
            let leaves = try await fixture.store.query(AuditQuery(events: [.messageDenied]))
            #expect(leaves.count == 1 && leaves[0].record.to.isEmpty)
        }
    }

    @Test func namesOfClaimsTheSchemaDoesNotKnowAreNeverShown() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            var content = GatewayFixture.referral
            content["subject"] = .object(["family_name": "Tupou", "FJ7654321": "seized by employer"])
            let receipt = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], content: content), from: "nz.immigration")
            let withheld = try #require(receipt.recipients.first?.withheld)
            #expect(!withheld.contains { $0.contains("FJ7654321") } && withheld.contains("informant.name"))
            let item = try #require(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.first)
            #expect(!item.withheld.contains { $0.contains("FJ7654321") } && !item.presentation.contains("seized"))
            let count = try await fixture.store.leafCount()
            let audit = try await fixture.store.leaves(in: 0..<count).map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
            #expect(!audit.contains("FJ7654321") && audit.contains("unknown_claims_withheld"))
        }
    }
}
