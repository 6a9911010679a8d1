import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// The audit, binding and TLS keys rotated twice each while agencies keep submitting and
/// connecting: nothing that should pass is refused, and the log verifies from its first leaf
/// with the first audit key.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct KeyRotationUnderTrafficTests {
    @Test func keysRotateWhileTrafficFlows() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let pki = gateway.pki
            let config = gateway.directory.appendingPathComponent("accord.yaml")
            try """
                console: {enabled: false}
                operations: {listen: "off"}
                paths: {certificates: \(pki.directory.path), database: \(gateway.directory.appendingPathComponent("offline.sqlite").path)}
                """.write(to: config, atomically: true, encoding: .utf8)
            let firstAuditKey = try NoteVerifier(name: "accord.local/audit", publicKey: PrivateKey(pemFile: pki.gatewaySigningKey.path).publicKey)
            let sender = try PrivateKey(pemFile: pki.agencySigningKey("nz.immigration").path)
            let refused = Mutex<[String]>([])
            let sent = Mutex(0)

            let traffic = Task {
                for n in 0 ..< 60 {
                    if Task.isCancelled { break }
                    // An agency names the binding key GET /v1/keys gave it, which may be a moment old.
                    let holder = gateway.server.gateway.bindingKey
                    let now = Int(Date().timeIntervalSince1970)
                    do {
                        let text = try SDJWTIssuer(signingKey: sender, kid: sender.publicKey.jwk.thumbprintBase64URL).issue([
                            "iss": "nz.immigration", "jti": .string("traffic-\(n)"), "iat": .integer(now), "exp": .integer(now + 600),
                            "accord": ["type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
                            "summary": "traffic",
                        ], holderKey: try PublicKey(jwk: holder))
                        _ = try await gateway.server.gateway.submit(text, from: "nz.immigration")
                        sent.withLock { $0 += 1 }
                    } catch {
                        refused.withLock { $0.append("submit \(n): \(error)") }
                    }
                    let answer = try? await gateway.curl("/v1/inbox?limit=1", as: "nz.police")
                    if answer?.httpStatus != 200 { refused.withLock { $0.append("inbox \(n): \(answer?.standardError ?? "no answer")") } }
                }
            }
            let accord = PackageRoot.accordExecutable.path
            for round in 0 ..< 2 {
                for kind in ["tls", "binding"] {
                    let rotated = try await ExternalProcess.run(accord, ["keys", "rotate", kind, "--config", config.path])
                    #expect(rotated.status == 0, "round \(round) \(kind): \(rotated.standardError)")
                }
                // The audit key: a new file, which the running gateway rotates to on reload.
                try PrivateKey.generate(.edDSA).pemPKCS8().write(to: pki.gatewaySigningKey, atomically: true, encoding: .utf8)
                _ = await gateway.server.reloadTrust(by: "operator:test")
                try await Task.sleep(for: .milliseconds(200))
            }
            await traffic.value
            #expect(refused.withLock { $0 } == [])
            #expect(sent.withLock { $0 } == 60)

            #expect(try await gateway.server.store.query(AuditQuery(events: [.auditKeyRotated])).count == 2)
            #expect(try await gateway.server.store.query(AuditQuery(events: [.bindingKeyRotated])).count == 2)
            let reloads = try await gateway.server.store.query(AuditQuery(events: [.trustReloaded]))
            #expect(reloads.filter { $0.record.details["previous_tls_certificate_sha256"] != nil }.count == 2)
            _ = try await gateway.server.store.checkpointNow()
            guard case .verified(let summary) = try await gateway.server.store.verifyLog(
                origin: "accord.local/audit", verifier: firstAuditKey, pageSize: 20_000, progress: { _, _ in }) else {
                Issue.record("the log does not verify with the first audit key across two rotations"); return
            }
            #expect(summary.isClean)
        }
    }
}
