import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord audit export` and `accord audit prove` as a privacy officer runs them, against the
/// database of a gateway that is still running (read-only beside its writer), checked by the
/// independent Python verifier.
@Suite(.serialized) struct AuditCommandTests {
    @Test(.needsPython) func aFilteredExportAndAProofVerifyWithoutAccord() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            var messages: [MessageID] = []
            for n in 0 ..< 6 {
                let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-export-\(n)")
                messages.append(try await fixture.gateway.submit(text, from: "nz.immigration").messageID)
            }
            _ = try await fixture.store.checkpointNow()
            let database = fixture.directory.appendingPathComponent("accord.sqlite").path
            let common = ["--db", database, "--origin", "test.accord/audit", "--key", fixture.pki.directory.appendingPathComponent("gateway/signing-key.pem").path]
            let output = fixture.directory.appendingPathComponent("export.jsonl").path
            let accord = PackageRoot.accordExecutable.path

            let export = try await ExternalProcess.run(accord, ["audit", "export"] + common + ["--message", messages[3].rawValue, "--output", output])
            try #require(export.status == 0, "\(export.standardError)")
            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            let leaves = lines.filter { $0.contains("\"type\":\"leaf\"") }
            #expect(!leaves.isEmpty && leaves.allSatisfy { $0.contains(messages[3].rawValue) }, "\(leaves)")
            let verified = try await ExternalProcess.python("audit_verify.py", [output])
            #expect(verified.status == 0, "\(verified.standardOutput)\(verified.standardError)")
            #expect(verified.standardOutput.contains("verified: \(leaves.count) leaves"), "\(verified.standardOutput)")

            // The same search as a listing, read a page at a time; its limit still caps it.
            let query = try await ExternalProcess.run(accord, ["audit", "query", "--json", "--message", messages[3].rawValue] + common)
            try #require(query.status == 0, "\(query.standardError)")
            let listed = query.standardOutput.split(separator: "\n")
            #expect(listed.count == leaves.count && listed.allSatisfy { $0.contains(messages[3].rawValue) }, "\(query.standardOutput)")
            let accepted = try await ExternalProcess.run(accord, ["audit", "query", "--event", "message.accepted", "--limit", "4"] + common)
            #expect(accepted.standardOutput.hasSuffix("4 record(s)\n"), "\(accepted.standardOutput)\(accepted.standardError)")

            let proof = try await ExternalProcess.run(accord, ["audit", "prove", "--index", "2"] + common)
            try #require(proof.status == 0, "\(proof.standardError)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(proof.standardOutput.utf8)) as? [String: Any], "\(proof.standardOutput)")
            #expect(object["index"] as? Int == 2, "\(object)")
            #expect((object["proof"] as? [String])?.isEmpty == false, "\(object)")
        }
    }
}
