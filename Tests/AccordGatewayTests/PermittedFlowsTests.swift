import AccordAudit
import AccordCrypto
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `GET /v1/agreements` on the running gateway lists exactly the flows in force for the
/// caller: not a draft's (`police-abf-bali-process` ships as one), not a suspended agreement's.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct PermittedFlowsTests {
    @Test func theCallerSeesExactlyItsFlowsInForce() async throws {
        let scratch = try PackageRoot.temporaryDirectory("permitted-flows")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = try AgreementsInForce.copy(into: scratch)
        try AgreementLifecycleTests.edit(agreements, "ot-police-s66c") {
            $0.replacingOccurrences(of: "\nstatus: active\n", with: "\nstatus: suspended\n")
        }
        let gateway = try await LiveGateway.start(agreements: agreements)
        try await gateway.closing {
            let answer = try await gateway.curl("/v1/agreements", as: "nz.police")
            #expect(answer.httpStatus == 200 && answer.contentType.hasPrefix("application/json"), "\(answer.standardOutput)")
            let listing = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            #expect(listing["agency"] as? String == "nz.police")
            func flows(_ key: String) -> [String] {
                ((listing[key] as? [[String: Any]]) ?? []).map { flow in
                    func list(_ name: String) -> String { ((flow[name] as? [String]) ?? []).joined(separator: ",") }
                    return "\(flow["agreement"] as? String ?? "?") \(list("from")) -> \(list("to")) \(list("types"))"
                }.sorted()
            }
            #expect(flows("send") == [
                "customs-police-border-intelligence nz.police -> nz.customs intelligence-request",
                "inz-police-investigations nz.immigration,nz.police -> nz.police,nz.immigration case-update",
                "inz-police-investigations nz.police -> nz.immigration referral",
            ])
            #expect(flows("receive") == [
                "customs-police-border-intelligence nz.customs -> nz.police indicator-report,intelligence-request",
                "inz-police-investigations nz.immigration -> nz.police referral,indicator-report",
                "inz-police-investigations nz.immigration,nz.police -> nz.police,nz.immigration case-update",
            ])
        }
    }
}
