import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import Foundation
import Testing

/// The receiving gateway's decision about a forward (docs/federation.md, "Receiving"): here New
/// Zealand receives from the Australian gateway, which serves au.abf, an ABF referral for
/// nz.immigration under an inbound agreement of ours. The forward is made as the partner makes
/// it: au.abf's SD-JWT naming the partner's binding key in `cnf`, bound by that key.
struct InboundForwardTests {
    static let inboundAgreement = """
        id: abf-inz-inbound
        title: ABF referrals to Immigration New Zealand (test inbound agreement)
        version: 1
        status: active
        legal_basis:
          - instrument: Immigration Act 2009
            provision: s305
            summary: Immigration New Zealand may receive information from an overseas authority.
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
            disclose: [subject.family_name, subject.given_names, subject.passport_number, 'indicators[*]', summary]

        """

    static let partnerEntry = """
          - id: au.gateway
            name: Australian Accord gateway
            jurisdiction: AU
            kind: gateway
            ca: partners/au-ca.pem
            endpoint: https://au.example/v1/federation/deliveries
            binding_key: partners/au-binding.pem
            serves: [au.abf]

        """

    /// What the inbound agreement allows, and only that.
    static let allowed: [String: JSONValue] = [
        "subject": .object(["family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567"]),
        "indicators": .array(["passport-or-id-withheld"]),
        "summary": "Worker reports passport held by employer",
    ]

    let fixture: GatewayFixture
    let partnerKey: PrivateKey

    init() throws {
        fixture = try GatewayFixture(editAgreements: { directory in
            try Self.inboundAgreement.write(to: directory.appendingPathComponent("abf-inz-inbound.yaml"), atomically: true, encoding: .utf8)
            let registry = directory.appendingPathComponent("agencies.yaml")
            try (String(contentsOf: registry, encoding: .utf8) + Self.partnerEntry).write(to: registry, atomically: true, encoding: .utf8)
        })
        partnerKey = try PrivateKey.generate(.es256)
    }

    /// `from` signs `content` for nz.immigration, naming the partner's key; the partner binds it.
    func forward(from agency: String = "au.abf", content: [String: JSONValue] = Self.allowed, purpose: String = "law-enforcement",
                 nonce: String = "d-au-1") throws -> String {
        let issued = try fixture.issue(from: agency, to: ["nz.immigration"], purpose: purpose, content: content,
                                       holderKey: partnerKey.publicKey)
        let binder = try KeyBinder(gatewayKey: partnerKey)
        return try binder.bind(issued, audience: "nz.immigration", nonce: nonce, decision: GatewayDecision(
            agreementID: "abf-inz-au", agreementDigest: String(repeating: "ab", count: 32), auditLeafIndex: 7, withheldPaths: []),
            issuedAt: Date())
    }

    func refusalCode(_ decision: InboundForwardDecision) -> String? {
        if case .refuse(let code, _) = decision { return code }
        return nil
    }

    @Test func aForwardWithinOurAgreementIsAcceptedAsItArrived() async throws {
        try await fixture.closing {
            let decision = fixture.gateway.checkForward(try forward(), deliveryID: "d-au-1", recipient: "nz.immigration",
                                                        from: "au.gateway", pinnedKey: partnerKey.publicKey)
            guard case .accept(let recipient, let agreement, _, let disclosed, let held) = decision else {
                Issue.record("refused: \(decision)")
                return
            }
            #expect(recipient == "nz.immigration" && agreement == "abf-inz-inbound" && !held)
            #expect(Set(disclosed) == ["subject.family_name", "subject.given_names", "subject.passport_number", "indicators[*]", "summary"])
        }
    }

    @Test func aForwardCarryingMoreThanOurAgreementAllowsIsRefusedWholeNamingThePaths() async throws {
        try await fixture.closing {
            let decision = fixture.gateway.checkForward(try forward(content: GatewayFixture.referral), deliveryID: "d-au-1",
                                                        recipient: "nz.immigration", from: "au.gateway", pinnedKey: partnerKey.publicKey)
            guard case .refuse(let code, let detail) = decision else {
                Issue.record("accepted a forward our agreement does not fully allow")
                return
            }
            #expect(code == "partner-agreement-narrower")
            #expect(detail.contains("informant.name") && detail.contains("health.concerns"), "\(detail)")
            for value in GatewayFixture.payloadValues { #expect(!detail.contains(value)) }
        }
    }

    @Test func aForwardNotBoundWithThePinnedKeyIsRefused() async throws {
        try await fixture.closing {
            let other = try PrivateKey.generate(.es256)
            let decision = fixture.gateway.checkForward(try forward(), deliveryID: "d-au-1", recipient: "nz.immigration",
                                                        from: "au.gateway", pinnedKey: other.publicKey)
            #expect(refusalCode(decision) == "binding-key-not-pinned")
        }
    }

    @Test func theKeyBindingMustNameThisRecipientAndDelivery() async throws {
        try await fixture.closing {
            let gateway = fixture.gateway
            let key = partnerKey.publicKey
            let presentation = try forward()
            #expect(refusalCode(gateway.checkForward(presentation, deliveryID: "d-other", recipient: "nz.immigration",
                                                     from: "au.gateway", pinnedKey: key)) == "presentation-invalid")
            #expect(refusalCode(gateway.checkForward(presentation, deliveryID: "d-au-1", recipient: "nz.police",
                                                     from: "au.gateway", pinnedKey: key)) == "presentation-invalid")
            #expect(refusalCode(gateway.checkForward(presentation, deliveryID: "d-au-1", recipient: "au.abf",
                                                     from: "au.gateway", pinnedKey: key)) == "not-our-agency")
            #expect(refusalCode(gateway.checkForward(presentation, deliveryID: "d-au-1", recipient: "nz.immigration",
                                                     from: "fj.gateway", pinnedKey: key)) == "unknown-partner")
        }
    }

    @Test func anOriginatorThePartnerDoesNotServeOrAFlowWeHaveNoAgreementForIsRefused() async throws {
        try await fixture.closing {
            let gateway = fixture.gateway
            let key = partnerKey.publicKey
            // nz.police is ours: a partner cannot speak for it.
            let fromOurs = try forward(from: "nz.police")
            #expect(refusalCode(gateway.checkForward(fromOurs, deliveryID: "d-au-1", recipient: "nz.immigration",
                                                     from: "au.gateway", pinnedKey: key)) == "originator-not-behind-partner")
            let otherPurpose = try forward(purpose: "labour-standards")
            #expect(refusalCode(gateway.checkForward(otherPurpose, deliveryID: "d-au-1", recipient: "nz.immigration",
                                                     from: "au.gateway", pinnedKey: key)) == "no-inbound-agreement")
        }
    }
}
