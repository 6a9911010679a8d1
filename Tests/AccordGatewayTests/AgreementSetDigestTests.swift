import AccordCore
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import AccordServer
import AccordTestSupport
import Foundation
import Testing

@testable import AccordGateway
@testable import AccordStore

/// The agreement set's digest names everything that decides a message: a change to the
/// registry alone (an agency's endpoint, its CA) is a new set that an activation brings into
/// force, and a set recorded by an earlier version under the agreements-only digest is still
/// recognised as itself.
@Suite struct AgreementSetDigestTests {
    @Test func aRegistryChangeAloneIsActivated() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let directory = URL(fileURLWithPath: gateway.server.configuration.agreementsDirectory)
            let before = gateway.server.gateway.policy.current
            let registry = directory.appendingPathComponent("agencies.yaml")
            let line = "    certificate: urn:accord:agency:nz.police\n"
            let text = try String(contentsOf: registry, encoding: .utf8)
            try #require(text.contains(line))
            try text.replacingOccurrences(of: line, with: line + "    endpoint: https://cases.police.example/accord/deliveries\n")
                .write(to: registry, atomically: true, encoding: .utf8)

            let outcome = try await gateway.server.gateway.activateAgreements(from: directory, by: "operator:test")
            guard case .activated(let digest, _, _) = outcome else {
                Issue.record("a registry change was not activated: \(outcome)")
                return
            }
            let after = gateway.server.gateway.policy.current
            #expect(digest != before.setDigest && after.setDigest == digest)
            #expect(after.policy.set.agencies["nz.police"]?.endpoint == "https://cases.police.example/accord/deliveries")
            #expect(ActivePolicy.agreementsOnlyDigest(of: after.policy.set) == ActivePolicy.agreementsOnlyDigest(of: before.policy.set),
                    "the agreements themselves did not change")
        }
    }

    @Test func aSetRecordedUnderTheAgreementsOnlyDigestIsRestoredAsItself() throws {
        let directory = PackageRoot.url.appendingPathComponent("Agreements")
        let sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self)
        let set = try AgreementSet.load(sources, today: CalendarDate(Date()))
        let earlier = ActivePolicy.agreementsOnlyDigest(of: set)
        #expect(earlier != ActivePolicy(set).current.setDigest)
        let stored = StoredAgreementSet(version: 1, digest: earlier, content: AgreementSetArchive.bytes(sources), activatedBy: "gateway",
                                        activatedAt: Date(), auditLeaf: 0)
        let restored = try Gateway.policy(restoring: stored)
        #expect(restored.current.isRecorded(as: earlier) && restored.current.isRecorded(as: restored.current.setDigest))
        #expect(!restored.current.isRecorded(as: String(repeating: "0", count: 64)))

        let tampered = StoredAgreementSet(version: 1, digest: String(repeating: "0", count: 64), content: stored.content,
                                          activatedBy: "gateway", activatedAt: Date(), auditLeaf: 0)
        #expect(throws: GatewayStartupError.self) { try Gateway.policy(restoring: tampered) }
    }
}
