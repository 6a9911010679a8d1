import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

@Suite struct DevelopmentPKITests {
    let agencies: [DevelopmentPKI.Agency] = [
        .init(id: "nz.police", name: "New Zealand Police"),
        .init(id: "au.abf", name: "Australian Border Force"),
    ]

    @Test(.needs("openssl", fromPackage: "openssl")) func makesAVerifiablePKIAndKeepsItOnTheSecondRun() async throws {
        let directory = try PackageRoot.temporaryDirectory("pki")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = DevelopmentPKI(directory: directory)
        let first = try pki.ensure(agencies: agencies)
        #expect(first.allSatisfy { $0.outcome == .created })

        let store = try TrustStore.load(directory: directory.path)
        for agency in agencies {
            let tls = try Certificate(pem: String(contentsOf: pki.agencyTLSCertificate(agency.id), encoding: .utf8))
            #expect(try store.verifyAgency(tls, purpose: .tlsClient).agencyID == agency.id)
            let signing = try Certificate(pem: String(contentsOf: pki.agencySigningCertificate(agency.id), encoding: .utf8))
            #expect(try store.verifyAgency(signing, purpose: .signing).agencyID == agency.id)
            #expect(#expect(throws: CertificateRejection.self) { try store.verify(tls, purpose: .signing) }?.code == .wrongPurpose)
            let key = try PrivateKey(pemFile: pki.agencySigningKey(agency.id).path)
            #expect(try signing.publicKey == key.publicKey)

            // A real client agrees: openssl verify with the CRL checked.
            let verified = try await ExternalProcess.run("openssl", [
                "verify", "-CAfile", pki.caCertificate.path, "-CRLfile", pki.caRevocationList.path, "-crl_check",
                "-purpose", "sslclient", pki.agencyTLSCertificate(agency.id).path,
            ])
            #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
        }
        let server = try Certificate(pem: String(contentsOf: pki.gatewayTLSCertificate, encoding: .utf8))
        try store.verify(server, purpose: .tlsServer)
        #expect(server.subjectAlternativeDNSNames == ["localhost"])
        #expect(try PrivateKey(pemFile: pki.gatewaySigningKey.path).algorithm == .edDSA)
        #expect(Hex.decode(try String(contentsOf: pki.gatewaySubjectHMACKey, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)

        for secret in [pki.caKey, pki.gatewayTLSKey, pki.gatewaySigningKey, pki.gatewaySubjectHMACKey, pki.agencyTLSKey("nz.police")] {
            let mode = try FileManager.default.attributesOfItem(atPath: secret.path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(secret.lastPathComponent) has mode \(String(mode ?? 0, radix: 8))")
        }

        let fingerprint = server.fingerprintSHA256
        let second = try pki.ensure(agencies: agencies)
        #expect(second.allSatisfy { $0.outcome == .kept })
        #expect(try Certificate(pem: String(contentsOf: pki.gatewayTLSCertificate, encoding: .utf8)).fingerprintSHA256 == fingerprint)

        let forced = try pki.ensure(agencies: agencies, force: true)
        #expect(forced.allSatisfy { $0.outcome != .kept })
        #expect(try Certificate(pem: String(contentsOf: pki.gatewayTLSCertificate, encoding: .utf8)).fingerprintSHA256 != fingerprint)
    }

    @Test func renewsWhatIsMissingOrNearExpiry() throws {
        let directory = try PackageRoot.temporaryDirectory("pki-renew")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = DevelopmentPKI(directory: directory)
        _ = try pki.ensure(agencies: agencies)
        try FileManager.default.removeItem(at: pki.agencyTLSCertificate("au.abf"))
        let later = Date().addingTimeInterval(380 * 86_400)
        let report = try pki.ensure(agencies: agencies, now: later)
        let outcomes = Dictionary(report.map { ($0.path, $0.outcome) }, uniquingKeysWith: { a, _ in a })
        #expect(outcomes[pki.agencyTLSCertificate("au.abf").path] == .created)
        #expect(outcomes[pki.agencyTLSCertificate("nz.police").path] == .renewed)
        #expect(outcomes[pki.caCertificate.path] == .kept)
    }

    @Test func refusesAnInvalidAgencyID() throws {
        let directory = try PackageRoot.temporaryDirectory("pki-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: CryptoError.self) {
            try DevelopmentPKI(directory: directory).ensure(agencies: [.init(id: "NZ Police", name: "x")])
        }
        #expect(error?.message.contains("NZ Police") == true)
    }

    /// The command itself, as a developer runs it, over the shipped agency registry.
    @Test func accordPKIInitCommand() async throws {
        let directory = try PackageRoot.temporaryDirectory("pki-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["pki", "init", "--dir", directory.path], directory: PackageRoot.url)
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("agencies"))
        let agencies = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("agencies").path)
        #expect(agencies.contains("nz.police") && agencies.contains("fj.immigration"))

        let missing = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["pki", "init", "--dir", directory.path, "--agencies", "/nonexistent.yaml"])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("/nonexistent.yaml"))
    }
}
