import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// `accord agreements check --certificates` reads the files a partner gateway's entry names
/// (docs/federation.md, "The registry entry"): a missing CA or binding key is reported where
/// the registry names it, and the check passes once both are in place.
struct PartnerFilesCheckTests {
    @Test func missingPartnerFilesAreReportedWhereTheRegistryNamesThem() async throws {
        let served = try ServedGateway("federation-files", agreements: { directory in
            try agreementsCopy(in: directory) { text in
                text + """
                  - id: au.gateway
                    name: Australian Accord gateway
                    jurisdiction: AU
                    kind: gateway
                    ca: partners/au-ca.pem
                    endpoint: https://au.example/v1/federation/deliveries
                    binding_key: partners/au-binding.pem
                    serves: [au.abf]

                """
            }
        })
        defer { served.remove() }
        let registry = try String(contentsOf: served.agreements.appendingPathComponent("agencies.yaml"), encoding: .utf8)
        let lines = registry.split(separator: "\n", omittingEmptySubsequences: false)
        let caLine = try #require(lines.firstIndex { $0.contains("ca: partners/au-ca.pem") }) + 1
        let keyLine = try #require(lines.firstIndex { $0.contains("binding_key: partners/au-binding.pem") }) + 1
        let arguments = ["agreements", "check", served.agreements.path, "--certificates", served.pki.directory.path]

        let missing = try await ExternalProcess.run(served.accord, arguments)
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("agencies.yaml:\(caLine):9: partner gateway 'au.gateway': CA file"), "\(missing.standardError)")
        #expect(missing.standardError.contains("agencies.yaml:\(keyLine):18: partner gateway 'au.gateway': binding_key"), "\(missing.standardError)")

        _ = try PartnerCA(name: "au", certificates: served.pki.directory)
        try PrivateKey.generate(.es256).publicKey.pem()
            .write(to: served.pki.directory.appendingPathComponent("partners/au-binding.pem"), atomically: true, encoding: .utf8)
        let present = try await ExternalProcess.run(served.accord, arguments)
        #expect(present.status == 0, "\(present.standardError)")
    }
}
