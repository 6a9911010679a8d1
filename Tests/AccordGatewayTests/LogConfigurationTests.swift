import AccordAudit
import AccordCrypto
import AccordGateway
import AccordTestSupport
import Foundation
import Testing

/// accord.yaml's `log:` section: witnesses, the cosignature policy and entry readers, each
/// mistake refused with its line and column.
@Suite struct LogConfigurationTests {
    @Test func witnessesAndThePolicyAreReadAndMistakesNamed() throws {
        let directory = try PackageRoot.temporaryDirectory("log-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try Cosigner(name: "witness.police", privateKey: PrivateKey.generate(.edDSA)).verifier.verifierKey
        let file = directory.appendingPathComponent("accord.yaml")
        func load(_ text: String) throws -> GatewayConfiguration {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return try GatewayConfiguration.load(file: file.path, environment: [:])
        }
        let loaded = try load("""
            log:
              cosignatures_required: 1
              entry_readers: [nz.privacy-commissioner]
              witnesses:
                - {name: witness.police, url: "http://127.0.0.1:9000", key: "\(key)", plain_http: true}
                - {name: witness.police, url: "https://witness.police.govt.nz", key: "\(key)", ca: /etc/accord/witness-ca.pem}
            """)
        #expect(loaded.log.witnesses == [
            .init(name: "witness.police", url: "http://127.0.0.1:9000", key: key, plainHTTP: true),
            .init(name: "witness.police", url: "https://witness.police.govt.nz", key: key, ca: "/etc/accord/witness-ca.pem"),
        ])
        #expect(loaded.log.cosignaturesRequired == 1 && loaded.log.entryReaders == ["nz.privacy-commissioner"])

        let audit = try NoteSigner(name: "accord.local/audit", privateKey: PrivateKey.generate(.edDSA)).verifier.verifierKey
        let wKey = try Cosigner(name: "w", privateKey: PrivateKey.generate(.edDSA)).verifier.verifierKey
        let cases: [(String, String, String)] = [
            ("log: {cosignatures_required: 2}\n", ":1:6", "exceeds the 0 witnesses"),
            ("log: {witnesses: [{name: w, url: \"ftp://x\", key: \"\(key)\"}]}\n", ":1:34", "http:// or https://"),
            ("log: {witnesses: [{name: witness.other, url: \"http://x\", key: \"\(key)\"}]}\n", ":1:19", "its key is for another name"),
            ("log: {witnesses: [{name: w, url: \"http://x\", key: \"\(audit)\"}]}\n", ":1:51", "not a cosignature/v1 verifier key"),
            ("log: {witnesses: [{name: w, url: \"http://x\"}]}\n", ":1:19", "needs name, url and key"),
            ("log: {entry_reader: [x]}\n", ":1:7", "unknown key 'entry_reader'"),
            ("log: {witnesses: [{name: w, url: \"https://x\", key: \"\(wKey)\"}]}\n", ":1:19", "an https:// witness needs 'ca'"),
            ("log: {witnesses: [{name: w, url: \"http://x\", key: \"\(wKey)\"}]}\n", ":1:19", "say 'plain_http: true'"),
            ("log: {witnesses: [{name: w, url: \"http://x\", key: \"\(wKey)\", ca: ca.pem, plain_http: true}]}\n", ":1:19", "use https://"),
            ("log: {witnesses: [{name: w, url: \"https://x\", key: \"\(wKey)\", plain_http: maybe}]}\n", ":1:123", "plain_http must be true or false"),
        ]
        for (text, location, message) in cases {
            let error = #expect(throws: ConfigurationError.self) { try load(text) }
            #expect(error?.location.hasSuffix(location) == true, "\(text): \(error.map { "\($0)" } ?? "accepted")")
            #expect(error?.message.contains(message) == true, "\(text): \(error.map { "\($0)" } ?? "accepted")")
        }
    }
}
