import AccordCore
import AccordAudit
import AccordClient
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordServer
import AccordStore
import AccordTLS
import AccordTestSupport
import Foundation
import Testing

/// CRLs, trust anchors and the registry's bindings replaced on a running gateway, as an
/// administrator does it: a CRL written beside the CA, then a reload (or nothing at all, and
/// the gateway notices), checked with curl and with a connection opened before the change.
@Suite(.needs("curl", fromPackage: "curl")) struct TrustReloadTests {
    /// A CRL of the development CA revoking `serials`, valid from `lastUpdate` to `nextUpdate`.
    static func publishCRL(_ pki: DevelopmentPKI, revoking serials: [String], lastUpdate: Date = Date().addingTimeInterval(-60),
                           nextUpdate: Date = Date().addingTimeInterval(30 * 86_400)) throws {
        let ca = try Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))
        let key = try PrivateKey(pemFile: pki.caKey.path)
        let list = try RevocationListBuilder(lastUpdate: lastUpdate, nextUpdate: nextUpdate, revoked: serials.map { ($0, Date().addingTimeInterval(-30)) })
            .issue(by: ca, issuerKey: key)
        try list.pem().write(to: pki.caRevocationList, atomically: true, encoding: .utf8)
    }

    static func tlsSerial(_ pki: DevelopmentPKI, _ agency: String) throws -> String {
        try Certificate(pem: String(contentsOf: pki.agencyTLSCertificate(agency), encoding: .utf8)).serialNumberHex
    }

    @Test func aRevocationTakesEffectOnReloadWithoutARestartOrADroppedConnection() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let open = try await AccordHTTPConnection.connect(
                host: "127.0.0.1", port: gateway.port,
                context: TLSContext.agencyClient(pkiDirectory: gateway.pki.directory, agency: "nz.police", serverName: "localhost"))
            #expect(try await open.request(method: "GET", path: "/v1/inbox").status == 200)

            try Self.publishCRL(gateway.pki, revoking: [try Self.tlsSerial(gateway.pki, "nz.police")])
            guard case .reloaded(let state) = await gateway.server.reloadTrust(by: "operator:test") else {
                Issue.record("the reload did not take")
                return
            }
            let police = try await gateway.curl("/v1/inbox", as: "nz.police")
            #expect(police.status != 0 && police.httpStatus == 0, "a revoked certificate got an answer")
            let customs = try await gateway.curl("/v1/inbox", as: "nz.customs")
            #expect(customs.httpStatus == 200, "\(customs.standardError)")
            // The connection verified before the revocation is not cut; its next request is served.
            #expect(try await open.request(method: "GET", path: "/v1/inbox").status == 200)
            await open.close()

            let reloaded = try await gateway.server.store.query(AuditQuery(events: [.trustReloaded]))
            #expect(reloaded.count == 1)
            #expect(reloaded.first?.record.actor == "operator:test")
            #expect(reloaded.first?.record.details["crls_sha256"] == state.revocationLists)
            #expect(reloaded.first?.record.details["trust_sha256"] == state.digest)
            let refused = try await waitFor(gateway, .certificateRejected)
            #expect(refused.first?.record.reason == "revoked")

            // Nothing changed since: a second reload is no change and writes nothing.
            guard case .unchanged = await gateway.server.reloadTrust(by: "operator:test") else {
                Issue.record("an unchanged directory reloaded")
                return
            }
            #expect(try await gateway.server.store.query(AuditQuery(events: [.trustReloaded])).count == 1)
        }
    }

    /// A renewed push certificate is a change of trust: the reload records it and the one it
    /// replaced, as it does the TLS certificate.
    @Test func aRenewedPushCertificateIsRecordedByTheReload() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            func fingerprint() throws -> String {
                try Certificate(pem: String(contentsOf: gateway.pki.gatewayPushCertificate, encoding: .utf8)).fingerprintSHA256
            }
            let old = try fingerprint()
            try FileManager.default.removeItem(at: gateway.pki.gatewayPushCertificate)
            try FileManager.default.removeItem(at: gateway.pki.gatewayPushKey)
            _ = try gateway.pki.ensure(agencies: [])
            let new = try fingerprint()
            try #require(new != old)

            guard case .reloaded(let state) = await gateway.server.reloadTrust(by: "operator:test") else {
                Issue.record("a renewed push certificate was not a change of trust")
                return
            }
            #expect(state.pushCertificate == new)
            let reloaded = try await gateway.server.store.query(AuditQuery(events: [.trustReloaded]))
            #expect(reloaded.count == 1)
            #expect(reloaded.first?.record.details["push_certificate_sha256"] == new)
            #expect(reloaded.first?.record.details["previous_push_certificate_sha256"] == old)
        }
    }

    @Test func aCRLWrittenToDiskIsPickedUpWithoutASignal() async throws {
        let gateway = try await LiveGateway.start(configure: { $0.trustCheckSeconds = 1 })
        try await gateway.closing {
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 200)
            try Self.publishCRL(gateway.pki, revoking: [try Self.tlsSerial(gateway.pki, "nz.police")], nextUpdate: Date().addingTimeInterval(3 * 86_400))
            let reloaded = try await waitFor(gateway, .trustReloaded)
            #expect(reloaded.first?.record.actor == "gateway:file-change")
            // Its next update is 3 days away: the log warns (a week ahead, once an hour).
            #expect(await eventually(timeout: .seconds(30)) {
                gateway.logs.all.contains { $0.contains("a CRL reaches its nextUpdate soon") && $0.contains("Accord Development Root CA") }
            })
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 0)
            #expect(try await gateway.curl("/v1/inbox", as: "nz.customs").httpStatus == 200)
            // Each CRL's time left is a metric.
            let metrics = try await gateway.curl("/metrics", operator: "auditor")
            #expect(metrics.body.contains("accord_crl_next_update_seconds{issuer=\"CN=Accord Development Root CA"), "\(metrics.body.prefix(400))")
        }
    }

    @Test func aLapsedCRLFailsClosedByDefault() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            try Self.publishCRL(gateway.pki, revoking: [], lastUpdate: Date().addingTimeInterval(-2 * 86_400),
                                nextUpdate: Date().addingTimeInterval(-86_400))
            _ = await gateway.server.reloadTrust(by: "operator:test")
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 0)
            #expect(try await gateway.curl("/v1/inbox", as: "nz.customs").httpStatus == 0)
            #expect(try await waitFor(gateway, .certificateRejected).first?.record.reason == "crl-expired")
        }
    }

    @Test func aLapsedCRLStillRevokesWhatItListsWhereConfiguredToUseIt() async throws {
        let gateway = try await LiveGateway.start(configure: { $0.crlExpiry = .useLast })
        try await gateway.closing {
            try Self.publishCRL(gateway.pki, revoking: [try Self.tlsSerial(gateway.pki, "nz.customs")],
                                lastUpdate: Date().addingTimeInterval(-2 * 86_400), nextUpdate: Date().addingTimeInterval(-86_400))
            _ = await gateway.server.reloadTrust(by: "operator:test")
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 200)
            #expect(try await gateway.curl("/v1/inbox", as: "nz.customs").httpStatus == 0)
            #expect(try await waitFor(gateway, .certificateRejected).first?.record.reason == "revoked")
        }
    }

    @Test func aTrustSetThatFailsValidationLeavesTheRunningOneInPlace() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            try "-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n-----END X509 CRL-----\n".write(to: gateway.pki.caRevocationList, atomically: true, encoding: .utf8)
            guard case .rejected(let problems) = await gateway.server.reloadTrust(by: "operator:test") else {
                Issue.record("a damaged CRL was loaded")
                return
            }
            #expect(problems.contains { $0.contains(gateway.pki.caRevocationList.path) }, "\(problems)")
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 200)
            let rejected = try await gateway.server.store.query(AuditQuery(events: [.trustRejected]))
            #expect(rejected.count == 1 && rejected.first?.record.reason == "invalid-trust")
            #expect(try await gateway.server.store.query(AuditQuery(events: [.trustReloaded])).isEmpty)
        }
    }

    @Test func anAdministratorReloadsFromTheConsoleAndSeesTheCRLs() async throws {
        let gateway = try await LiveGateway.start(console: true)
        try await gateway.closing {
            let port = try #require(gateway.consolePort)
            func console(_ path: String, as name: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
                try await ExternalProcess.run("curl", [
                    "--silent", "--show-error", "--max-time", "30", "--cacert", gateway.pki.caCertificate.path,
                    "--cert", gateway.pki.operatorCertificate(name).path, "--key", gateway.pki.operatorKey(name).path,
                    "--write-out", "\n%{content_type}\n%{http_code}",
                ] + extra + ["https://localhost:\(port)\(path)"])
            }
            let page = try await console("/agencies", as: "admin")
            #expect(page.httpStatus == 200 && page.body.contains("Certificate revocation lists in force"))
            #expect(page.body.contains("CN=Accord Development Root CA") && page.body.contains("days to next update"))

            try Self.publishCRL(gateway.pki, revoking: [try Self.tlsSerial(gateway.pki, "nz.police")],
                                nextUpdate: Date().addingTimeInterval(3 * 86_400))
            let forged = try await console("/agencies/reload", as: "admin", ["-X", "POST"])
            #expect(forged.httpStatus == 403)
            let officer = try await console("/agencies/reload", as: "officer", ["-X", "POST"])
            #expect(officer.httpStatus == 403)
            let token = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let reloaded = try await console("/agencies/reload", as: "admin", ["--data-urlencode", "csrf=\(token)"])
            #expect(reloaded.httpStatus == 200 && reloaded.body.contains("Certificates and CRLs reloaded"), "\(reloaded.body)")
            #expect(try await gateway.curl("/v1/inbox", as: "nz.police").httpStatus == 0)
            let record = try await gateway.server.store.query(AuditQuery(events: [.trustReloaded])).first?.record
            #expect(record?.actor == "urn:accord:operator:administrator:admin")

            // A week before its next update, the CRL is flagged.
            let after = try await console("/agencies", as: "admin")
            #expect(after.body.contains("next update in 2 day(s): publish a fresh CRL"), "\(after.body)")
        }
    }

    /// An agency's signing-key rollover, as docs/operations.md describes it: the new certificate
    /// beside the old, a reload, the agency switches, the old one removed, a reload.
    @Test func anAgencyRollsOverItsSigningKeyWithoutARestart() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let pki = gateway.pki
            let ca = try Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))
            let oldKey = try PrivateKey(pemFile: pki.agencySigningKey("nz.immigration").path)
            let oldCertificate = try String(contentsOf: pki.agencySigningCertificate("nz.immigration"), encoding: .utf8)
            let newKey = try PrivateKey.generate(.es256)
            let newCertificate = try CertificateBuilder(
                commonName: "nz.immigration message signing 2", organization: "Immigration New Zealand",
                keyUsage: ["digitalSignature", "nonRepudiation"], alternativeNames: [.uri("urn:accord:agency:nz.immigration")]
            ).issued(for: newKey.publicKey, by: ca, issuerKey: PrivateKey(pemFile: pki.caKey.path))
            let binding = try PrivateKey(pemFile: pki.gatewayBindingKey.path).publicKey
            func submit(signedWith key: PrivateKey) async -> String {
                do {
                    let now = Int(Date().timeIntervalSince1970)
                    let text = try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL).issue([
                        "iss": "nz.immigration", "jti": .string(UUID().uuidString), "iat": .integer(now), "exp": .integer(now + 600),
                        "accord": ["type": "referral", "to": ["nz.police"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
                        "summary": "rollover",
                    ], holderKey: binding)
                    _ = try await gateway.server.gateway.submit(text, from: "nz.immigration")
                    return "accepted"
                } catch let problem as GatewayProblem {
                    return problem.code
                } catch {
                    return "\(error)"
                }
            }
            #expect(await submit(signedWith: newKey) == "issuer-key-unresolved")

            try (oldCertificate + newCertificate.pem()).write(to: pki.agencySigningCertificate("nz.immigration"), atomically: true, encoding: .utf8)
            guard case .reloaded = await gateway.server.reloadTrust(by: "operator:test") else { Issue.record("no reload"); return }
            #expect(await submit(signedWith: oldKey) == "accepted")
            #expect(await submit(signedWith: newKey) == "accepted")

            try newCertificate.pem().write(to: pki.agencySigningCertificate("nz.immigration"), atomically: true, encoding: .utf8)
            guard case .reloaded = await gateway.server.reloadTrust(by: "operator:test") else { Issue.record("no reload"); return }
            #expect(await submit(signedWith: oldKey) == "issuer-key-unresolved")
            #expect(await submit(signedWith: newKey) == "accepted")
        }
    }

    private func waitFor(_ gateway: LiveGateway, _ event: AuditEvent) async throws -> [AuditLeaf] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let found = try await gateway.server.store.query(AuditQuery(events: [event]))
            if !found.isEmpty { return found }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no \(event.rawValue) leaf within a minute")
        return []
    }
}
