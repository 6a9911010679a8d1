import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Chain verification with certificates made inside the test: every way a peer's
/// certificate can be wrong must be refused with its own reason.
@Suite struct ChainVerificationTests {
    let rootKey: PrivateKey
    let root: Certificate
    let agencyKey: PrivateKey

    init() throws {
        rootKey = try PrivateKey.generate(.es256)
        root = try CertificateBuilder(commonName: "Test Root", certificateAuthorityPathLength: 1, keyUsage: ["keyCertSign", "cRLSign"])
            .selfSigned(key: rootKey)
        agencyKey = try PrivateKey.generate(.es256)
    }

    func clientCertificate(
        agency: String? = "nz.police", notBefore: Date = Date().addingTimeInterval(-60),
        notAfter: Date = Date().addingTimeInterval(3600), extendedKeyUsage: [String] = ["clientAuth"],
        issuer: Certificate? = nil, issuerKey: PrivateKey? = nil
    ) throws -> Certificate {
        try CertificateBuilder(
            commonName: "agency system", organization: "NZ Police", notBefore: notBefore, notAfter: notAfter,
            keyUsage: ["digitalSignature"], extendedKeyUsage: extendedKeyUsage,
            alternativeNames: agency.map { [.uri("urn:accord:agency:\($0)")] } ?? []
        ).issued(for: agencyKey.publicKey, by: issuer ?? root, issuerKey: issuerKey ?? rootKey)
    }

    @Test func goodChainGivesTheAgency() throws {
        let store = try TrustStore(anchors: [root])
        let identity = try store.verifyAgency(clientCertificate(), purpose: .tlsClient)
        #expect(identity.agencyID == "nz.police")
        let chain = try store.verify(clientCertificate(), purpose: .tlsClient)
        #expect(chain.count == 2 && chain.last == root)
    }

    @Test func chainThroughAnIntermediate() throws {
        let intermediateKey = try PrivateKey.generate(.es256)
        let intermediate = try CertificateBuilder(commonName: "Issuing CA", certificateAuthorityPathLength: 0, keyUsage: ["keyCertSign", "cRLSign"])
            .issued(for: intermediateKey.publicKey, by: root, issuerKey: rootKey)
        let leaf = try clientCertificate(issuer: intermediate, issuerKey: intermediateKey)
        let store = try TrustStore(anchors: [root])
        #expect(try store.verifyAgency(leaf, chain: [intermediate], purpose: .tlsClient).agencyID == "nz.police")
        let missing = #expect(throws: CertificateRejection.self) { try store.verify(leaf, purpose: .tlsClient) }
        #expect(missing?.code == .unknownIssuer)
    }

    @Test func unknownCertificateAuthority() throws {
        let otherKey = try PrivateKey.generate(.es256)
        let other = try CertificateBuilder(commonName: "Other Root", certificateAuthorityPathLength: 1, keyUsage: ["keyCertSign", "cRLSign"]).selfSigned(key: otherKey)
        let store = try TrustStore(anchors: [root])
        let error = #expect(throws: CertificateRejection.self) {
            try store.verify(clientCertificate(issuer: other, issuerKey: otherKey), purpose: .tlsClient)
        }
        #expect(error?.code == .unknownIssuer)
        #expect(error?.message.contains("agency system") == true)
    }

    @Test func expiredAndNotYetValid() throws {
        let store = try TrustStore(anchors: [root])
        let expired = try clientCertificate(notBefore: Date().addingTimeInterval(-7200), notAfter: Date().addingTimeInterval(-3600))
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(expired, purpose: .tlsClient) }?.code == .expired)
        let future = try clientCertificate(notBefore: Date().addingTimeInterval(3600), notAfter: Date().addingTimeInterval(7200))
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(future, purpose: .tlsClient) }?.code == .notYetValid)
        // The same certificate is fine at a time inside its window.
        try store.verify(future, purpose: .tlsClient, at: Date().addingTimeInterval(5400))
    }

    @Test func revokedByCRL() throws {
        let certificate = try clientCertificate()
        let bystander = try clientCertificate(agency: "nz.customs")
        let crl = try RevocationListBuilder(revoked: [(certificate.serialNumberHex, Date().addingTimeInterval(-10))]).issue(by: root, issuerKey: rootKey)
        let store = try TrustStore(anchors: [root], revocationLists: [crl])
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(certificate, purpose: .tlsClient) }?.code == .revoked)
        #expect(try store.verifyAgency(bystander, purpose: .tlsClient).agencyID == "nz.customs")
    }

    @Test func expiredCRLFailsClosed() throws {
        let crl = try RevocationListBuilder(lastUpdate: Date().addingTimeInterval(-7200), nextUpdate: Date().addingTimeInterval(-3600))
            .issue(by: root, issuerKey: rootKey)
        let store = try TrustStore(anchors: [root], revocationLists: [crl])
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(clientCertificate(), purpose: .tlsClient) }?.code == .crlExpired)
    }

    @Test func wrongPurpose() throws {
        let store = try TrustStore(anchors: [root])
        let server = try clientCertificate(extendedKeyUsage: ["serverAuth"])
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(server, purpose: .tlsClient) }?.code == .wrongPurpose)
        // A TLS client certificate cannot sign messages.
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(clientCertificate(), purpose: .signing) }?.code == .wrongPurpose)
        let signing = try clientCertificate(extendedKeyUsage: [])
        #expect(try store.verifyAgency(signing, purpose: .signing).agencyID == "nz.police")
        // sslclient alone would take a certificate with no extended key usage: a signing key
        // must not open a TLS session.
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(signing, purpose: .tlsClient) }?.code == .wrongPurpose)
        // clientAuth beside another usage still makes it a TLS certificate.
        let mixed = try clientCertificate(extendedKeyUsage: ["clientAuth", "emailProtection"])
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(mixed, purpose: .signing) }?.code == .wrongPurpose)
        // A signing certificate must say digitalSignature.
        let noUsage = try CertificateBuilder(commonName: "no usage", keyUsage: ["keyEncipherment"],
                                             alternativeNames: [.uri("urn:accord:agency:nz.police")])
            .issued(for: agencyKey.publicKey, by: root, issuerKey: rootKey)
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(noUsage, purpose: .signing) }?.code == .wrongPurpose)
    }

    @Test func anIdentitySpeaksOnlyThroughTheCABoundToIt() throws {
        let otherKey = try PrivateKey.generate(.es256)
        let other = try CertificateBuilder(commonName: "Test Root", certificateAuthorityPathLength: 1, keyUsage: ["keyCertSign", "cRLSign"])
            .selfSigned(key: otherKey)
        let store = try TrustStore(anchors: [root, other],
                                   bindings: IssuerBindings(agencies: ["nz.police": [root], "fj.immigration": [other]], operators: [root]))
        #expect(try store.verifyAgency(clientCertificate(), purpose: .tlsClient).agencyID == "nz.police")
        // The other root has the same subject name: compared by fingerprint, it is still not Police's CA.
        let forged = try clientCertificate(issuer: other, issuerKey: otherKey)
        #expect(#expect(throws: CertificateRejection.self) { try store.verifyAgency(forged, purpose: .tlsClient) }?.code == .wrongIssuer)
        let fiji = try clientCertificate(agency: "fj.immigration", issuer: other, issuerKey: otherKey)
        #expect(try store.verifyAgency(fiji, purpose: .tlsClient).agencyID == "fj.immigration")
        let unregistered = try clientCertificate(agency: "nz.unknown")
        #expect(#expect(throws: CertificateRejection.self) { try store.verifyAgency(unregistered, purpose: .tlsClient) }?.code == .unregisteredIdentity)
    }

    @Test func missingOrDoubleAgencyIdentity() throws {
        let store = try TrustStore(anchors: [root])
        let none = try clientCertificate(agency: nil)
        try store.verify(none, purpose: .tlsClient)
        #expect(#expect(throws: CertificateRejection.self) { try store.verifyAgency(none, purpose: .tlsClient) }?.code == .missingAgencyIdentity)
        let double = try CertificateBuilder(
            commonName: "two agencies", extendedKeyUsage: ["clientAuth"],
            alternativeNames: [.uri("urn:accord:agency:nz.police"), .uri("urn:accord:agency:nz.customs")]
        ).issued(for: agencyKey.publicKey, by: root, issuerKey: rootKey)
        #expect(#expect(throws: CertificateRejection.self) { try store.verifyAgency(double, purpose: .tlsClient) }?.code == .missingAgencyIdentity)
    }

    @Test func certificateFieldsForDisplay() throws {
        let certificate = try clientCertificate()
        #expect(certificate.subject.contains("CN=agency system"))
        #expect(certificate.subject.contains("O=NZ Police"))
        #expect(certificate.issuer.contains("CN=Test Root"))
        #expect(certificate.subjectAlternativeURIs == ["urn:accord:agency:nz.police"])
        #expect(certificate.fingerprintSHA256.count == 64)
        #expect(certificate.notAfter > Date())
        #expect(try certificate.publicKey == agencyKey.publicKey)
        #expect(try Certificate(pem: certificate.pem()) == certificate)
        #expect(try Certificate(der: certificate.der) == certificate)
        #expect(!certificate.isCertificateAuthority && root.isCertificateAuthority && root.isSelfIssued)
    }

    @Test func trustStoreLoadsADirectory() throws {
        let directory = try PackageRoot.temporaryDirectory("trust")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = try clientCertificate()
        let crl = try RevocationListBuilder(revoked: [(certificate.serialNumberHex, Date())]).issue(by: root, issuerKey: rootKey)
        try root.pem().write(to: directory.appendingPathComponent("ca.pem"), atomically: true, encoding: .utf8)
        try crl.pem().write(to: directory.appendingPathComponent("ca.crl"), atomically: true, encoding: .utf8)
        try rootKey.pemPKCS8().write(to: directory.appendingPathComponent("ca-key.pem"), atomically: true, encoding: .utf8)
        let store = try TrustStore.load(directory: directory.path)
        #expect(store.anchors.count == 1 && store.revocationLists.count == 1)
        #expect(#expect(throws: CertificateRejection.self) { try store.verify(certificate, purpose: .tlsClient) }?.code == .revoked)

        let empty = try PackageRoot.temporaryDirectory("empty-trust")
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = #expect(throws: CryptoError.self) { try TrustStore.load(directory: empty.path) }
        #expect(error?.message.contains("accord pki init") == true)
    }

    @Test func damagedPEMIsReported() throws {
        let pem = try root.pem()
        let damaged = pem.replacingOccurrences(of: "M", with: "*", options: [], range: pem.range(of: "M"))
        #expect(throws: CryptoError.self) { try Certificate.all(pem: damaged) }
    }

    /// The system's `openssl verify` agrees with our chain building.
    @Test(.needs("openssl", fromPackage: "openssl")) func opensslVerifyAcceptsWhatWeIssue() async throws {
        let directory = try PackageRoot.temporaryDirectory("openssl-verify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let ca = directory.appendingPathComponent("ca.pem")
        let leaf = directory.appendingPathComponent("leaf.pem")
        try root.pem().write(to: ca, atomically: true, encoding: .utf8)
        try clientCertificate().pem().write(to: leaf, atomically: true, encoding: .utf8)
        let accepted = try await ExternalProcess.run("openssl", ["verify", "-CAfile", ca.path, "-purpose", "sslclient", leaf.path])
        #expect(accepted.status == 0, "\(accepted.standardOutput) \(accepted.standardError)")
        let refused = try await ExternalProcess.run("openssl", ["verify", "-CAfile", ca.path, "-purpose", "sslserver", leaf.path])
        #expect(refused.status != 0)
    }
}
