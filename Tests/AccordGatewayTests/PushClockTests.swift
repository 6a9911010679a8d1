import AccordCore
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordTestSupport
import Foundation
import Testing

/// Push on a gateway whose clock is not the wall clock, as `accord demo --at` runs one: a
/// failed push is retried by the gateway's own clock (docs/api.md, "Push delivery").
@Suite(.serialized, .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct PushClockTests {
    @Test func aGatewayOnAClockADayBehindTheWallRetriesAFailedPushAtOnce() async throws {
        let offset: TimeInterval = -86_400
        let gatewayNow: @Sendable () -> Date = { Date().addingTimeInterval(offset) }
        let port = try FreePort.find()
        let gateway = try await LiveGateway.start(prepare: { directory, _ in
            let copy = try agreementsCopy(in: directory) { text in
                let line = "    certificate: urn:accord:agency:nz.police\n"
                return text.replacingOccurrences(of: line, with: line + "    endpoint: https://localhost:\(port)/accord/deliveries\n")
            }
            return copy
        }, configure: { $0.pushPollMilliseconds = 50 }, now: gatewayNow)
        try await gateway.closing {
            let receiver = try PushReceiver(for: "nz.police", port: port, pki: gateway.pki, in: gateway.directory)
            let process = try await receiver.start(failFirst: 1)
            defer { kill(process.processIdentifier, SIGKILL) }

            // nz.immigration's system issues on the gateway's day.
            let key = try PrivateKey(pemFile: gateway.pki.agencySigningKey("nz.immigration").path)
            let issuer = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL)
            let issuedAt = Int(gatewayNow().timeIntervalSince1970)
            let message = try issuer.issue([
                "iss": "nz.immigration", "jti": .string(UUID().uuidString), "iat": .integer(issuedAt), "exp": .integer(issuedAt + 3600),
                "accord": ["type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
                "summary": "triage", "subject": ["family_name": "Ratu"],
            ], holderKey: try PrivateKey(pemFile: gateway.pki.gatewayBindingKey.path).publicKey)
            let sent = try await gateway.curl("/v1/messages", as: "nz.immigration",
                                              ["-X", "POST", "-H", "Content-Type: application/sd-jwt", "--data-binary", message])
            try #require(sent.standardOutput.hasSuffix("\n202"), "\(sent.standardOutput)\(sent.standardError)")

            // The first try fails; the retry half a second later by the gateway's clock comes,
            // not a day later by the wall's.
            #expect(await eventually(timeout: .seconds(60)) { receiver.posts.count == 2 }, "\(receiver.posts.map(\.status))")
            #expect(receiver.posts.map(\.status) == [503, 200])
        }
    }
}
