import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The binding key rotated on a running gateway with `accord keys rotate binding`'s layout: a
/// delivery waiting under the old key is still bound with it, messages naming either key are
/// accepted during the overlap and bound with the key they name, and once the administrator
/// removes the old key, messages naming it are refused.
@Suite struct BindingKeyRotationTests {
    @Test func aRotatedBindingKeyStillBindsWhatNamesItUntilItIsRemoved() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let pki = gateway.pki
            let sender = try PrivateKey(pemFile: pki.agencySigningKey("nz.immigration").path)
            let oldBinding = try PrivateKey(pemFile: pki.gatewayBindingKey.path)
            func submit(naming holder: PublicKey) async -> String {
                do {
                    let now = Int(Date().timeIntervalSince1970)
                    let text = try SDJWTIssuer(signingKey: sender, kid: sender.publicKey.jwk.thumbprintBase64URL).issue([
                        "iss": "nz.immigration", "jti": .string(UUID().uuidString), "iat": .integer(now), "exp": .integer(now + 600),
                        "accord": ["type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
                        "summary": "rotation",
                    ], holderKey: holder)
                    return try await gateway.server.gateway.submit(text, from: "nz.immigration").messageID.rawValue
                } catch let problem as GatewayProblem {
                    return problem.code
                } catch {
                    return "\(error)"
                }
            }
            /// Police's inbox, each presentation verified as Police would: the sender's signature,
            /// and the gateway's key binding against the key the message itself names.
            func pickUp() async throws -> Int {
                let verifier = SDJWTVerifier(resolver: StaticIssuerKeyResolver(["nz.immigration": [sender.publicKey.jwk.thumbprintBase64URL: sender.publicKey]]))
                let items = try await gateway.server.gateway.inbox(for: "nz.police", after: nil, limit: nil).items
                for item in items {
                    _ = try verifier.verify(item.presentation, now: Date(), keyBinding: KeyBindingExpectation(audience: "nz.police", nonce: item.deliveryID))
                    _ = try await gateway.server.gateway.acknowledge(deliveryID: item.deliveryID, by: "nz.police")
                }
                return items.count
            }

            let waiting = await submit(naming: oldBinding.publicKey)
            #expect(waiting.hasPrefix("m-"), "\(waiting)")

            // The layout `accord keys rotate binding` writes, then a reload.
            let kept = pki.gatewayBindingKey.deletingLastPathComponent().appendingPathComponent("binding-keys")
            try FileManager.default.createDirectory(at: kept, withIntermediateDirectories: true)
            let keptFile = kept.appendingPathComponent("\(oldBinding.publicKey.jwk.thumbprintBase64URL).pem")
            try oldBinding.pemPKCS8().write(to: keptFile, atomically: true, encoding: .utf8)
            let newBinding = try PrivateKey.generate(.es256)
            try newBinding.pemPKCS8().write(to: pki.gatewayBindingKey, atomically: true, encoding: .utf8)
            _ = await gateway.server.reloadTrust(by: "operator:test")
            let rotated = try await gateway.server.store.query(AuditQuery(events: [.bindingKeyRotated]))
            #expect(rotated.first?.record.details == ["old_key": oldBinding.publicKey.jwk.thumbprintBase64URL,
                                                      "new_key": newBinding.publicKey.jwk.thumbprintBase64URL])
            #expect(gateway.server.gateway.bindingKey == newBinding.publicKey.jwk)
            #expect(gateway.server.gateway.bindingKeys.previous == [oldBinding.publicKey.jwk])
            let keys = try await gateway.curl("/v1/keys", as: "nz.police")
            #expect(keys.body.contains("\"previous_binding\":[{"), "\(keys.body)")

            // The delivery accepted under the old key, and messages naming either key now.
            #expect(await submit(naming: newBinding.publicKey).hasPrefix("m-"))
            #expect(await submit(naming: oldBinding.publicKey).hasPrefix("m-"))
            #expect(try await pickUp() == 3)

            // The overlap ends when the administrator removes the old key.
            try FileManager.default.removeItem(at: keptFile)
            _ = await gateway.server.reloadTrust(by: "operator:test")
            #expect(await submit(naming: oldBinding.publicKey) == "holder-key-mismatch")
            #expect(await submit(naming: newBinding.publicKey).hasPrefix("m-"))
            #expect(try await pickUp() == 1)
        }
    }
}
