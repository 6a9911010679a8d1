import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import Foundation
import Testing

/// The flow's handling code travels with every delivery: in the KB-JWT's `accord` claim, which
/// the gateway signs, and in the inbox item.
@Suite struct HandlingCodeTests {
    @Test func eachDeliveryCarriesItsFlowsHandlingCode() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            // INZ -> Police referrals are H1 (inz-police-investigations, flow 1).
            _ = try await fixture.gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
            let item = try #require(try await fixture.gateway.inbox(for: "nz.police", after: nil, limit: nil).items.first)
            let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(item)) as? [String: Any]
            #expect(encoded?["handling"] as? String == "H1", "\(encoded ?? [:])")

            let kbJWT = try #require(item.presentation.split(separator: "~").last)
            let payload = try #require(kbJWT.split(separator: ".").dropFirst().first)
            let claims = try JSONSerialization.jsonObject(with: Data(Base64URL.decode(payload))) as? [String: Any]
            let accord = claims?["accord"] as? [String: Any]
            #expect(accord?["handling"] as? String == "H1", "\(claims ?? [:])")
        }
    }
}
