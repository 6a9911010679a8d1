import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// An inbox page is written item by item as the agency reads it (chunked, each write waiting
/// for the connection), not queued whole for a slow reader; its bytes stay the canonical JSON
/// of the page (docs/api.md, "Inbox").
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct InboxStreamingTests {
    @Test func anInboxPageIsStreamedAsCanonicalJSONAndReadsWholeAtASlowRate() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            for _ in 0..<3 {
                let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                    "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path,
                    "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                ])
                try #require(sent.status == 0, "\(sent.standardError)")
            }
            // A reader taking 2 KB a second: the page still arrives whole, and chunked.
            let headers = gateway.directory.appendingPathComponent("headers.txt")
            let slow = try await gateway.curl("/v1/inbox", as: "nz.police", ["--limit-rate", "2K", "--dump-header", headers.path])
            #expect(slow.httpStatus == 200 && slow.contentType == "application/json")
            let head = try String(contentsOf: headers, encoding: .utf8).lowercased()
            #expect(head.contains("transfer-encoding: chunked"), "\(head)")
            let body = Array(slow.body.utf8)
            let page = try JSONParser.parse(body)
            #expect(try CanonicalJSON.encode(page) == body, "the streamed page is not canonical JSON")
            #expect(page.objectValue?["items"]?.arrayValue?.count == 3)
            #expect(page.objectValue?["next"]?.stringValue?.isEmpty == false)
        }
    }
}
