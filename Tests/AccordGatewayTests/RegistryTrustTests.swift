import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordPolicyFiles
import AccordTestSupport
import Foundation
import Testing

/// `ca:` in agencies.yaml as an administrator meets it: `accord agreements check --certificates`
/// names each entry whose CA is missing, unreadable or not a CA at its `file:line:column`, and a
/// gateway will not start on such a registry.
@Suite struct RegistryTrustTests {
    @Test func badCAsAreReportedWhereTheyAreNamed() async throws {
        let directory = try PackageRoot.temporaryDirectory("registry-trust")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        _ = try pki.ensure(agencies: [DevelopmentPKI.Agency(id: "nz.customs", name: "New Zealand Customs Service")])
        try "not a certificate\n".write(to: pki.directory.appendingPathComponent("garbage.pem"), atomically: true, encoding: .utf8)
        let agreements = try agreementsCopy(in: directory) { text in
            var text = registry(text, naming: "partners/missing.pem", for: "fj.immigration")
            text = registry(text, naming: "agencies/nz.customs/tls.pem", for: "nz.customs")
            return registry(text, naming: "garbage.pem", for: "au.abf")
        }
        let registryFile = agreements.appendingPathComponent("agencies.yaml")
        let lines = try String(contentsOf: registryFile, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        func location(of ca: String) -> String {
            let index = lines.firstIndex { $0 == "    ca: \(ca)" } ?? -1
            return "\(registryFile.path):\(index + 1):9"
        }

        let output = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "agreements", "check", agreements.path, "--certificates", pki.directory.path,
        ])
        #expect(output.status == 1)
        let problems = output.standardError
        #expect(problems.contains("\(location(of: "partners/missing.pem")): agency 'fj.immigration': CA file"), "\(problems)")
        #expect(problems.contains("does not exist [missing-ca-file]"))
        #expect(problems.contains("\(location(of: "agencies/nz.customs/tls.pem")): agency 'nz.customs':"))
        #expect(problems.contains("is not a CA (basicConstraints cA is not set) [not-a-ca]"))
        #expect(problems.contains("\(location(of: "garbage.pem")): agency 'au.abf': CA file"))
        #expect(problems.contains("[unreadable-ca]"))

        // Without --certificates, or with sound CAs, the same command passes.
        let plain = try await ExternalProcess.run(PackageRoot.accordExecutable.path, ["agreements", "check", agreements.path])
        #expect(plain.status == 0, "\(plain.standardError)")

        // The gateway refuses to start on it, naming the same places.
        #expect {
            _ = try GatewayKeys.load(directory: pki.directory.path,
                                     agencies: ActivePolicy(directory: agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self).current.policy.set.agencies.values)
        } throws: { error in
            "\(error)".contains(location(of: "partners/missing.pem")) && "\(error)".contains("[not-a-ca]")
        }
    }

    @Test func aPathOutsideTheCertificatesDirectoryIsRefusedByTheLoader() throws {
        let directory = try PackageRoot.temporaryDirectory("registry-trust-path")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = try agreementsCopy(in: directory) { registry($0, naming: "../../etc/ssl/ca.pem", for: "au.abf") }
        let error = #expect(throws: PolicyError.self) { try ActivePolicy(directory: agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self) }
        #expect(error?.diagnostics.contains { $0.check == .invalidCAPath && $0.location.file.hasSuffix("agencies.yaml") } == true)
    }
}
