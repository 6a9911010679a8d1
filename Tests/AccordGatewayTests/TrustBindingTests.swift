import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordMessages
import AccordPolicy
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Synchronization
import Testing

/// Each identity is bound to its issuer, and each certificate to one purpose, tried with curl
/// against `accord serve`'s server: a partner CA registered for Fiji Immigration cannot speak
/// for NZ Police, an agency's signing certificate cannot open a TLS session, and every refused
/// certificate is audited once a minute per source and reason.
@Suite(.needs("curl", fromPackage: "curl")) struct TrustBindingTests {
    /// A gateway whose registry names a partner CA for fj.immigration.
    static func gatewayWithPartner() async throws -> (LiveGateway, PartnerCA) {
        let partner = Mutex<PartnerCA?>(nil)
        let gateway = try await LiveGateway.start { directory, pki in
            let ca = try PartnerCA(name: "fiji", certificates: pki.directory)
            partner.withLock { $0 = ca }
            return try agreementsCopy(in: directory) { registry($0, naming: ca.registryPath, for: "fj.immigration") }
        }
        return (gateway, try #require(partner.withLock { $0 }))
    }

    @Test func aCertificateSpeaksOnlyForTheAgenciesItsCAIsNamedFor() async throws {
        let (gateway, partner) = try await Self.gatewayWithPartner()
        try await gateway.closing {
            // The partner CA is registered for Fiji Immigration, and for nothing else.
            let fiji = try partner.tlsClient(for: "fj.immigration")
            let accepted = try await gateway.curl("/v1/agreements", certificate: fiji.certificateFile, key: fiji.keyFile)
            #expect(accepted.httpStatus == 200, "\(accepted.standardError)")
            #expect(accepted.body.contains("\"agency\":\"fj.immigration\""))

            let police = try partner.tlsClient(for: "nz.police")
            let forged = try await gateway.curl("/v1/inbox", certificate: police.certificateFile, key: police.keyFile)
            #expect(forged.status != 0 && forged.httpStatus == 0, "a partner CA's certificate for nz.police got an answer: \(forged.standardOutput)")

            // The development CA is no longer Fiji Immigration's CA either.
            let oldCA = try await gateway.curl("/v1/agreements", as: "fj.immigration")
            #expect(oldCA.status != 0 && oldCA.httpStatus == 0, "a certificate from a CA not named for fj.immigration got an answer")

            // Operators too: only the operator CA issues them.
            let operatorForgery = try partner.operatorClient(role: "administrator", name: "mallory")
            let console = try await gateway.curl("/metrics", certificate: operatorForgery.certificateFile, key: operatorForgery.keyFile)
            #expect(console.status != 0 && console.httpStatus == 0, "a partner CA's operator certificate got an answer")

            // Three refusals for one reason from one source within the minute: one leaf.
            let reasons = try await waitForRejections(gateway, count: 1)
            #expect(reasons.map(\.record.reason) == ["wrong-issuer"])
            // The leaf names whichever of the three the server observed first; it may finish a
            // refused handshake after curl has already moved on to the next one.
            let refused = try [police.certificate, operatorForgery.certificate,
                               Certificate(pem: String(contentsOf: gateway.pki.agencyTLSCertificate("fj.immigration"), encoding: .utf8))]
                .map(\.fingerprintSHA256)
            #expect(refused.contains(reasons.first?.record.details["certificate_sha256"] ?? "none"))
            // Every refusal is logged, though; the server logs it once the handshake has failed, after curl has seen it fail.
            #expect(await eventually { gateway.logs.all.filter { $0.contains("TLS connection refused") && $0.contains("wrong-issuer") }.count == 3 })
        }
    }

    @Test func aSigningCertificateCannotOpenATLSSession() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let signing = try await gateway.curl("/v1/inbox", certificate: gateway.pki.agencySigningCertificate("nz.police"),
                                                 key: gateway.pki.agencySigningKey("nz.police"))
            #expect(signing.status != 0 && signing.httpStatus == 0, "nz.police's signing key opened a TLS session")
            let tls = try await gateway.curl("/v1/inbox", as: "nz.police")
            #expect(tls.httpStatus == 200)

            let rejected = try await waitForRejections(gateway, count: 1)
            #expect(rejected.first?.record.reason == "wrong-purpose")
            let fingerprint = try Certificate(pem: String(contentsOf: gateway.pki.agencySigningCertificate("nz.police"), encoding: .utf8)).fingerprintSHA256
            #expect(rejected.first?.record.details["certificate_sha256"] == fingerprint)
            #expect(await eventually { gateway.logs.all.contains { $0.contains("TLS connection refused") && $0.contains("wrong-purpose") } })
        }
    }

    @Test func aFloodOfRefusedHandshakesWritesOneLeafPerSourceAndReasonAMinute() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            for _ in 0..<5 {
                let signing = try await gateway.curl("/v1/inbox", certificate: gateway.pki.agencySigningCertificate("nz.police"),
                                                     key: gateway.pki.agencySigningKey("nz.police"))
                #expect(signing.httpStatus == 0)
            }
            // A refusal for another reason from the same source is a leaf of its own.
            let stranger = try PartnerCA(name: "stranger", certificates: gateway.pki.directory).tlsClient(for: "nz.police")
            let unknown = try await gateway.curl("/v1/inbox", certificate: stranger.certificateFile, key: stranger.keyFile)
            #expect(unknown.httpStatus == 0)
            let leaves = try await waitForRejections(gateway, count: 2)
            // Give any further leaf the time to arrive before counting.
            try await Task.sleep(for: .milliseconds(300))
            let all = try await gateway.server.store.query(AuditQuery(events: [.certificateRejected]))
            #expect(all.count == 2, "\(all.map { $0.record.reason ?? "-" })")
            #expect(Set(leaves.compactMap(\.record.reason)) == ["wrong-purpose", "unknown-issuer"])
            #expect(all.allSatisfy { $0.record.details["source"] == "127.0.0.1" })
        }
    }

    @Test func aMessageSignedUnderAnotherAgencysCAIsRefused() async throws {
        let (gateway, partner) = try await Self.gatewayWithPartner()
        try await gateway.closing {
            // Police's TLS session is genuine; the message's x5c signer comes from Fiji's CA.
            let signer = try partner.signing(for: "nz.police")
            let issuer = try SDJWTIssuer(signingKey: signer.key, kid: nil, x5c: [signer.certificate.der])
            let now = Int(Date().timeIntervalSince1970)
            let body = try issuer.issue([
                "iss": "nz.police", "jti": .string(UUID().uuidString), "iat": .integer(now), "exp": .integer(now + 600),
                "accord": ["type": "referral", "to": ["nz.immigration"], "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
                "summary": "referral",
            ], holderKey: try PrivateKey(pemFile: gateway.pki.gatewayBindingKey.path).publicKey)
            let file = gateway.directory.appendingPathComponent("forged.sd-jwt")
            try body.write(to: file, atomically: true, encoding: .utf8)
            let answer = try await gateway.curl("/v1/messages", as: "nz.police",
                                                ["-X", "POST", "-H", "Content-Type: application/sd-jwt", "--data-binary", "@\(file.path)"])
            #expect(answer.httpStatus == 403, "\(answer.standardOutput)")
            #expect(answer.body.contains("\"code\":\"issuer-key-unresolved\""))
            #expect(answer.body.contains("wrong-issuer"))

            // The same key, certified by Fiji's CA for Fiji Immigration, signs for Fiji Immigration.
            let fijiSigner = try partner.signing(for: "fj.immigration")
            #expect(try gateway.server.gateway.signingKeys.key(issuer: "fj.immigration", kid: nil, x5c: [fijiSigner.certificate.der])
                == fijiSigner.key.publicKey)
        }
    }

    private func waitForRejections(_ gateway: LiveGateway, count: Int) async throws -> [AuditLeaf] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let found = try await gateway.server.store.query(AuditQuery(events: [.certificateRejected]))
            if found.count >= count { return found }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("fewer than \(count) certificate.rejected leaves within a minute")
        return try await gateway.server.store.query(AuditQuery(events: [.certificateRejected]))
    }
}
