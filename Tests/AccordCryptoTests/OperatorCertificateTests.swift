import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Console operator certificates from the development PKI, and their PKCS#12 files as a real
/// client (openssl pkcs12) reads them.
@Suite struct OperatorCertificateTests {
    @Test(.needs("openssl", fromPackage: "openssl")) func operatorsGetAClientCertificateAndAPKCS12File() async throws {
        let directory = try PackageRoot.temporaryDirectory("pki-operators")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = DevelopmentPKI(directory: directory)
        let first = try pki.ensure(agencies: [], operators: DevelopmentPKI.Operator.development)
        #expect(first.allSatisfy { $0.outcome == .created })
        for person in DevelopmentPKI.Operator.development {
            let certificate = try Certificate(pem: String(contentsOf: pki.operatorCertificate(person.name), encoding: .utf8))
            #expect(certificate.subjectAlternativeURIs == ["urn:accord:operator:\(person.role):\(person.name)"])
            let verified = try await ExternalProcess.run("openssl", [
                "verify", "-CAfile", pki.caCertificate.path, "-purpose", "sslclient", pki.operatorCertificate(person.name).path,
            ])
            #expect(verified.status == 0, "\(verified.standardError)")
            let bundle = try await ExternalProcess.run("openssl", [
                "pkcs12", "-in", pki.operatorPKCS12(person.name).path, "-passin", "pass:\(DevelopmentPKI.developmentPKCS12Password)",
                "-nodes", "-nokeys", "-clcerts",
            ])
            #expect(bundle.status == 0, "\(bundle.standardError)")
            #expect(bundle.standardOutput.contains(try certificate.pem().split(separator: "\n")[1]))
            let wrong = try await ExternalProcess.run("openssl", [
                "pkcs12", "-in", pki.operatorPKCS12(person.name).path, "-passin", "pass:wrong", "-nodes", "-nokeys",
            ])
            #expect(wrong.status != 0)
        }
        let second = try pki.ensure(agencies: [], operators: DevelopmentPKI.Operator.development)
        #expect(second.allSatisfy { $0.outcome == .kept })
    }
}
