import AccordAudit
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Issue 21 item 2, as an agency would: send a message, keep the receipt (its leaf and the
/// latest checkpoint the gateway had signed), pull the delivery as the recipient (the KB-JWT says
/// the same), then, with an independent Python client over mutual TLS, wait for the first
/// checkpoint that covers each leaf, fetch it and the inclusion proof, fetch the receipt's
/// checkpoint by size and prove it a prefix, all checked with the log's and the witness's keys.
@Suite(.serialized, .needs("curl", fromPackage: "curl"), .needsPython) struct ReceiptEvidenceTests {
    @Test func anAgencyProvesItsReceiptAndItsInboxItemAgainstCosignedCheckpoints() async throws {
        let witnessDirectory = try PackageRoot.temporaryDirectory("evidence-witness")
        defer { try? FileManager.default.removeItem(at: witnessDirectory) }
        let witness = try await WitnessProcess(directory: witnessDirectory, name: "witness.test", tls: true)
        let served = try ServedGateway("evidence", yaml: [
            "audit: {checkpoint_interval_seconds: 1}",
            "log:",
            "  cosignatures_required: 1",
            "  witness_interval_milliseconds: 200",
            "  witnesses:",
            "    - \(witness.configEntry)",
        ].joined(separator: "\n"))
        defer { served.remove() }
        let logKey = try auditVerifierKey(served.pki)
        let witnessProcess = try await witness.start(following: logKey)
        defer { kill(witnessProcess.processIdentifier, SIGKILL) }
        let gateway = try await served.startServing()
        defer { kill(gateway.processIdentifier, SIGKILL) }

        // A first exchange, so that the log has a signed checkpoint for the next answers to name.
        try await served.sendReferrals(1)
        let cosigned = await eventuallyHolds(within: .seconds(60)) {
            try await served.curl("/v1/log/checkpoint").standardOutput.contains("\u{2014} witness.test ")
        }
        try #require(cosigned, "the witness never cosigned a checkpoint")
        // The gateway reads the latest checkpoint's size at most twice a second for its answers.
        try await Task.sleep(for: .seconds(1))

        let content = served.directory.appendingPathComponent("referral.json")
        let sent = try await ExternalProcess.run(served.accord, [
            "send", "--as", "nz.immigration", "--gateway", "localhost:\(served.port)", "--pki", served.pki.directory.path, "--json",
            "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
        ])
        try #require(sent.status == 0, "\(sent.standardError)")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
        let leaf = try #require((receipt["recipients"] as? [[String: Any]])?.first?["audit_leaf"] as? Int)
        let announced = try #require(receipt["checkpoint_size"] as? Int, "the receipt names no checkpoint: \(sent.standardOutput)")
        #expect(announced >= 1 && announced <= leaf, "a fresh leaf \(leaf) is not yet in a signed checkpoint, yet \(announced) was named")

        let pulled = try await ExternalProcess.run(served.accord, [
            "inbox", "--as", "nz.police", "--gateway", "localhost:\(served.port)", "--pki", served.pki.directory.path, "--json",
        ])
        try #require(pulled.status == 0, "\(pulled.standardOutput)\(pulled.standardError)")
        let page = String(pulled.standardOutput.prefix { $0 != "\n" })
        #expect(page.contains("\"checkpoint_size\":"), "\(page)")

        let receiptFile = served.directory.appendingPathComponent("receipt.json")
        let inboxFile = served.directory.appendingPathComponent("inbox.json")
        try sent.standardOutput.write(to: receiptFile, atomically: true, encoding: .utf8)
        try page.write(to: inboxFile, atomically: true, encoding: .utf8)
        func prove(as agency: String, _ what: [String]) async throws -> ExternalProcess.Output {
            try await ExternalProcess.python("receipt_evidence.py", [
                "--gateway", "https://localhost:\(served.port)", "--ca", served.pki.caCertificate.path,
                "--cert", served.pki.agencyTLSCertificate(agency).path, "--key", served.pki.agencyTLSKey(agency).path,
                "--verifier-key", logKey, "--witness-key", witness.verifierKey, "--wait", "90",
            ] + what)
        }
        let sender = try await prove(as: "nz.immigration", ["--receipt", receiptFile.path])
        #expect(sender.status == 0 && sender.standardOutput.contains("verified: leaf \(leaf) in the checkpoint of size")
                && sender.standardOutput.contains("consistent with the checkpoint of size \(announced)"),
                "\(sender.standardOutput)\(sender.standardError)")
        let recipient = try await prove(as: "nz.police", ["--inbox", inboxFile.path])
        #expect(recipient.status == 0 && recipient.standardOutput.hasPrefix("verified: leaf "), "\(recipient.standardOutput)\(recipient.standardError)")

        // The checkpoint a receipt names is fetched by its exact size; a size never signed is not invented.
        let bySize = try await served.curl("/v1/log/checkpoint?size=\(announced)")
        #expect(bySize.standardOutput.hasPrefix("accord.local/audit\n\(announced)\n"), "\(bySize.standardOutput)")
        let unsigned = try await served.curl("/v1/log/checkpoint?size=\(leaf + 1000)")
        #expect(unsigned.standardOutput.contains("no-checkpoint-of-size"), "\(unsigned.standardOutput)")
        let malformed = try await served.curl("/v1/log/checkpoint?size=ten")
        #expect(malformed.standardOutput.contains("invalid-parameter") && malformed.standardOutput.contains("'size'"), "\(malformed.standardOutput)")
        await served.stopServing(gateway)
    }
}
