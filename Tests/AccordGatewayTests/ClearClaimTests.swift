import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordStore
import AccordTestSupport
import Foundation
import Testing


/// A claim in clear reaches the recipient exactly when every disclosure enclosing that instance
/// of it is kept, whatever other instances of the same path do.
@Suite struct ClearClaimTests {
    /// The shipped agreements plus the `household-report` fixture: an array of objects, of which
    /// INZ may tell Police names and roles but not passport numbers.
    static func householdFixture() throws -> GatewayFixture {
        try GatewayFixture(editAgreements: { directory in
            let fixture = PackageRoot.url.appendingPathComponent("Tests/Fixtures/household-report")
            for file in ["schemas/household-report.yaml", "household-test.yaml"] {
                try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: directory.appendingPathComponent(file))
            }
        })
    }

    /// A household report: `people` is one disclosure holding element disclosures, each given
    /// as the element's object (members named in `concealed` become disclosures of their own).
    static func household(
        _ fixture: GatewayFixture, elements: [(clear: [String: JSONValue], concealed: [String: JSONValue])]
    ) throws -> String {
        var disclosures: [String] = []
        var references: [JSONValue] = []
        for (index, element) in elements.enumerated() {
            var object = element.clear
            var digests: [JSONValue] = []
            for (name, value) in element.concealed {
                let member = GatewayFixture.disclosure([.string("salt-\(index)-\(name)"), .string(name), value])
                disclosures.append(member.encoded)
                digests.append(member.digest)
            }
            if !digests.isEmpty { object["_sd"] = .array(digests) }
            let disclosure = GatewayFixture.disclosure([.string("salt-element-\(index)"), .object(object)])
            disclosures.append(disclosure.encoded)
            references.append(.object(["...": disclosure.digest]))
        }
        let people = GatewayFixture.disclosure(["salt-people", "people", .array(references)])
        disclosures.append(people.encoded)
        return try fixture.sign(from: "nz.immigration", to: ["nz.police"], type: "household-report",
                                payload: ["_sd": .array([people.digest])], disclosures: disclosures)
    }

    @Test func aClearClaimInAKeptElementIsRefusedEvenWhenAnotherElementIsDropped() async throws {
        let fixture = try Self.householdFixture()
        try await fixture.closing {
            // The first element is kept for its permitted name and carries a passport number in
            // clear; the second, a decoy with nothing permitted, is dropped.
            let text = try Self.household(fixture, elements: [
                (clear: ["passport_number": "FJ1234567"], concealed: ["name": "Sione Tupou"]),
                (clear: [:], concealed: ["note": "decoy"]),
            ])
            let problem = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "nz.immigration") })
            #expect(problem.code == "clear-claim-not-permitted" && problem.status == 403, "\(problem)")
            #expect(problem.detail.contains("people[*].passport_number") && !problem.detail.contains("FJ1234567"))
            #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)
            let denied = try await fixture.store.query(AuditQuery(events: [.messageDenied]))
            #expect(denied.map(\.record.reason) == ["clear-claim-not-permitted"])
        }
    }

    @Test func aClearClaimInsideADroppedElementStaysWithTheGateway() async throws {
        let fixture = try Self.householdFixture()
        try await fixture.closing {
            // The passport number is in clear only inside the element that goes nowhere; the
            // kept element's clear role is permitted.
            let text = try Self.household(fixture, elements: [
                (clear: ["role": "head"], concealed: ["name": "Sione Tupou"]),
                (clear: ["passport_number": "FJ7654321"], concealed: [:]),
            ])
            let receipt = try await fixture.gateway.submit(text, from: "nz.immigration")
            #expect(receipt.recipients.first?.withheld.contains("people[*]") == true)
            let item = try #require(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.first)
            let shown = try Self.disclosedValues(item.presentation)
            #expect(shown.contains("Sione Tupou") && shown.contains("head") && !shown.contains("FJ7654321"))
        }
    }

    /// The same attack issued by the Python reference library: every member selectively
    /// disclosable but `passport_number`, which it leaves in clear inside its element.
    @Test func theReferenceLibrarysClearMemberInAKeptElementIsRefused() async throws {
        let fixture = try Self.householdFixture()
        try await fixture.closing {
            let people: JSONValue = [["name": "Sione Tupou", "passport_number": "FJ1234567"], "decoy"]
            let text = try await fixture.issueWithReferenceLibrary(from: "nz.immigration", to: ["nz.police"], type: "household-report",
                                                             content: ["people": people], clearMembers: ["passport_number"])
            let problem = try #require(await #expect(throws: GatewayProblem.self) { try await fixture.gateway.submit(text, from: "nz.immigration") })
            #expect(problem.code == "clear-claim-not-permitted" && problem.detail.contains("people[*].passport_number"), "\(problem)")
            #expect(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.isEmpty)

            // Concealed like everything else, the passport number is withheld and the rest goes.
            let concealed = try await fixture.issueWithReferenceLibrary(from: "nz.immigration", to: ["nz.police"], type: "household-report",
                                                                  content: ["people": people])
            let receipt = try await fixture.gateway.submit(concealed, from: "nz.immigration")
            #expect(receipt.recipients.first?.withheld.contains("people[*].passport_number") == true)
        }
    }

    /// The text of every disclosure a presentation carries.
    static func disclosedValues(_ presentation: String) throws -> String {
        let parts = presentation.split(separator: "~", omittingEmptySubsequences: false)
        return try parts.dropFirst().dropLast().map { part in
            String(decoding: try Base64URL.decode(part), as: UTF8.self)
        }.joined(separator: "\n")
    }
}
