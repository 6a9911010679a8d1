import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// "Who received information about this passport?" answered from what the gateway itself
/// writes: each recipient's records carry the keyed hashes of the identifiers it was given,
/// never those withheld from it; and a held message's record says what the officer would
/// release.
@Suite struct SubjectAccessTests {
    @Test func aSubjectSearchFindsWhoWasGivenAnIdentifierAndNotWhatWasWithheld() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
            let receipt = try await fixture.gateway.submit(text, from: "nz.immigration")
            #expect(receipt.recipients.first?.withheld.contains("informant.name") == true)
            _ = try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil)

            let passport = fixture.keys.subjectKey.hash(type: "passport", value: "FJ1234567")
            let given = try await fixture.store.query(AuditQuery(subject: passport))
            #expect(given.map(\.record.event) == [.messageAccepted, .messageDelivered])
            #expect(given.allSatisfy { $0.record.to == ["nz.police"] })
            #expect(given.last?.record.actor == "nz.police")

            // The informant's name is an identifier too, but Police were never given it.
            let informant = fixture.keys.subjectKey.hash(type: "name", value: "Mele Informant")
            #expect(try await fixture.store.query(AuditQuery(subject: informant)).isEmpty)
        }
    }

    @Test func aHeldRecordSaysWhatWouldBeReleasedAndWhatIsWithheld() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            let text = try fixture.issueHeldReferral()
            let receipt = try await fixture.gateway.submit(text, from: "nz.police")
            let held = try #require(receipt.recipients.first)
            #expect(held.status == "held")
            let records = try await fixture.store.query(AuditQuery(messageID: receipt.messageID)).map(\.record)
            let accepted = try #require(records.first { $0.event == .messageAccepted })
            let heldRecord = try #require(records.first { $0.event == .messageHeld })
            #expect(heldRecord.disclosed.contains("subject.visa_number") && heldRecord.disclosed == accepted.disclosed)
            #expect(heldRecord.withheld == ["subject.address"] && heldRecord.withheld == held.withheld)
            let visa = fixture.keys.subjectKey.hash(type: "visa", value: "V998877")
            #expect(heldRecord.subjects.contains(visa) && heldRecord.subjects == accepted.subjects)
        }
    }
}
