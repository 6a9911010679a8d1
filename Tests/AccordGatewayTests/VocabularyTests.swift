import AccordCore
import AccordAudit
import AccordGateway
import AccordMessages
import AccordStore
import Foundation
import Testing


/// Claims whose schema lists their values (`values:`) take only those values.
@Suite struct VocabularyTests {
    func submit(_ fixture: GatewayFixture, _ changes: [String: JSONValue]) async throws -> SubmissionReceipt {
        var content = GatewayFixture.referral
        content.merge(changes) { _, new in new }
        return try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"], content: content), from: "nz.immigration")
    }

    func refusal(_ fixture: GatewayFixture, _ changes: [String: JSONValue]) async throws -> GatewayProblem {
        let problem = try #require(await #expect(throws: GatewayProblem.self) { _ = try await submit(fixture, changes) })
        #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)
        return problem
    }

    @Test func anIndicatorOutsideTheVocabularyIsRefusedWithThePathAndTheAllowedValues() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let problem = try await refusal(fixture, ["indicators": ["passport-or-id-withheld", "debt bondage"]])
            #expect(problem.code == "value-not-allowed" && problem.status == 400, "\(problem)")
            #expect(problem.detail.contains("indicators[*]") && problem.detail.contains("debt-bondage")
                    && problem.detail.contains("restricted-communication"), "\(problem)")
            #expect(!problem.detail.contains("debt bondage"), "the refusal must not repeat the value")
            let count = try await fixture.store.leafCount()
            let audit = try await fixture.store.leaves(in: 0..<count).map { String(decoding: $0.bytes, as: UTF8.self) }.joined()
            #expect(audit.contains("value-not-allowed") && !audit.contains("debt bondage"))
        }
    }

    @Test func aVictimStatusOutsideTheVocabularyIsRefused() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let problem = try await refusal(fixture, ["victim_status": "suspected"])
            #expect(problem.code == "value-not-allowed" && problem.detail.contains("victim_status")
                    && problem.detail.contains("suspected-victim") && !problem.detail.contains("'suspected'"), "\(problem)")
            // A value of another JSON type is not in the vocabulary either.
            let number = try await refusal(fixture, ["indicators": .array([.integer(12)])])
            #expect(number.code == "value-not-allowed", "\(number)")
        }
    }

    @Test func valuesFromTheVocabularyAreAccepted() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let receipt = try await submit(fixture, ["indicators": ["debt-bondage", "restricted-communication"], "victim_status": "suspected-victim"])
            #expect(receipt.recipients.map(\.status) == ["delivered"])
        }
    }
}
