import AccordCore
import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// One message to two agencies under two agreements, through the running gateway, sent and
/// received by Python's `requests` with the `sd-jwt` reference library.
@Suite(.serialized) struct SeveralRecipientsTests {
    /// Customs reports indicators to the ABF (`customs-abf-s318`: indicators and industry) and
    /// to Immigration NZ (`customs-inz-border-intelligence`: indicators, date, region, employer
    /// and narrative, not the industry). Neither agreement discloses the address or the informant.
    static var content: [String: Any] {
        [
            "indicators": ["passport-or-id-withheld", "debt-bondage"],
            "observed_on": "2026-03-02",
            "location": ["region": "Bay of Plenty", "address": "12 Orchard Road"],
            "workplace": ["industry": "horticulture"],
            "employer": ["name": "Kiwifruit Holdings"],
            "narrative": "Workers say the supervisor keeps their passports",
            "informant": ["name": "Mele Informant"],
        ]
    }

    @Test(.needsPython) func eachRecipientGetsItsOwnDisclosureUnderItsOwnAgreement() async throws {
        let scratch = try PackageRoot.temporaryDirectory("several-recipients")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            let request: [String: Any] = [
                "base": "https://localhost:\(gateway.port)", "pki": gateway.pki.directory.path,
                "sender": "nz.customs", "recipients": ["au.abf", "nz.immigration"],
                "routing": ["type": "indicator-report", "purpose": "border-security", "classification": "IN-CONFIDENCE"],
                "content": Self.content,
            ]
            let file = gateway.directory.appendingPathComponent("exchange.json")
            try JSONSerialization.data(withJSONObject: request).write(to: file)
            let output = try await ExternalProcess.python("gateway_exchange.py", [file.path])
            try #require(output.status == 0, "gateway_exchange.py failed: \(output.standardError)")
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
            #expect(answer["submit_status"] as? Int == 202, "\(answer["receipt"] ?? "")")

            let receipt = try #require(answer["receipt"] as? [String: Any])
            let recipients = try #require(receipt["recipients"] as? [[String: Any]])
            let agreements = Dictionary(uniqueKeysWithValues: recipients.compactMap { entry in
                (entry["recipient"] as? String).map { ($0, entry["agreement"] as? String ?? "") }
            })
            #expect(agreements == ["au.abf": "customs-abf-s318", "nz.immigration": "customs-inz-border-intelligence"], "\(recipients)")
            #expect(recipients.map { $0["status"] as? String } == ["delivered", "delivered"])

            // Each presentation passed the reference verifier with its own recipient as audience.
            let verified = try #require(answer["verified"] as? [[String: Any]])
            #expect(verified.compactMap { $0["recipient"] as? String }.sorted() == ["au.abf", "nz.immigration"])
            func payload(_ recipient: String) throws -> [String: Any] {
                try #require(verified.first { $0["recipient"] as? String == recipient }?["payload"] as? [String: Any])
            }
            let abf = try payload("au.abf")
            let immigration = try payload("nz.immigration")
            let abfText = String(decoding: try JSONSerialization.data(withJSONObject: abf), as: UTF8.self)
            let immigrationText = String(decoding: try JSONSerialization.data(withJSONObject: immigration), as: UTF8.self)

            #expect(abf["indicators"] as? [String] == ["passport-or-id-withheld", "debt-bondage"])
            #expect((abf["workplace"] as? [String: Any])?["industry"] as? String == "horticulture")
            for onlyImmigration in ["2026-03-02", "Bay of Plenty", "Kiwifruit Holdings", "supervisor keeps"] {
                #expect(!abfText.contains(onlyImmigration), "the ABF was given \(onlyImmigration)")
            }

            #expect(immigration["indicators"] as? [String] == ["passport-or-id-withheld", "debt-bondage"])
            #expect(immigration["observed_on"] as? String == "2026-03-02")
            #expect((immigration["location"] as? [String: Any])?["region"] as? String == "Bay of Plenty")
            #expect((immigration["employer"] as? [String: Any])?["name"] as? String == "Kiwifruit Holdings")
            #expect(immigration["narrative"] as? String == "Workers say the supervisor keeps their passports")
            #expect(!immigrationText.contains("horticulture"), "Immigration NZ was given the industry")

            for neither in ["12 Orchard Road", "Mele Informant"] {
                #expect(!abfText.contains(neither) && !immigrationText.contains(neither), "\(neither) was disclosed")
            }
            #expect(answer["ack_statuses"] as? [Int] == [200, 200])

            // Each recipient's pick-up is audited under its own agreement.
            let delivered = try await gateway.server.store.query(AuditQuery(events: [.messageDelivered])).map(\.record)
            #expect(Set(delivered.map { "\($0.to.joined()) \($0.agreement?.id ?? "")" })
                == ["au.abf customs-abf-s318", "nz.immigration customs-inz-border-intelligence"])
        }
    }
}
