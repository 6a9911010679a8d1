import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// The `accord` client reads the gateway's answers with the strict parser: an answer that is
/// not what the API documents is refused with the request and the member at fault, never a
/// value, and a problem document is shown by its code. Driven as an agency's operator would,
/// `accord inbox` and `accord send` against a stand-in server over mutual TLS.
@Suite(.serialized, .needsPython) struct CLIAnswerReadingTests {
    /// Runs `accord` against a server answering `answers` (path → status and body).
    static func accord(_ arguments: [String], answers: [String: (status: Int, body: String)]) async throws -> ExternalProcess.Output {
        let directory = try PackageRoot.temporaryDirectory("cli-answers")
        defer { try? FileManager.default.removeItem(at: directory) }
        let pki = DevelopmentPKI(directory: directory.appendingPathComponent("pki"))
        _ = try pki.ensure(agencies: [DevelopmentPKI.Agency(id: "nz.police", name: "NZ Police")])
        let file = directory.appendingPathComponent("answers.json")
        let members = answers.mapValues { JSONValue.object(["status": .integer($0.status), "body": .string($0.body)]) }
        try Data(try CanonicalJSON.encode(.object(members))).write(to: file)
        let server = try BackgroundProcess(await PythonEnvironment.interpreter(), [
            PackageRoot.url.appendingPathComponent("Tests/Interop/canned_gateway.py").path,
            pki.caCertificate.path, pki.gatewayTLSCertificate.path, pki.gatewayTLSKey.path, file.path,
        ])
        defer { kill(server.processIdentifier, SIGKILL) }
        let port = try #require(await server.readLine().flatMap { Int($0) }, "the stand-in server did not start: \(server.standardErrorSoFar)")
        let content = directory.appendingPathComponent("content.json")
        try Data(#"{"subject": {"family_name": "Tupou"}}"#.utf8).write(to: content)
        return try await ExternalProcess.run(PackageRoot.accordExecutable.path, arguments.map {
            $0.replacingOccurrences(of: "PORT", with: String(port)).replacingOccurrences(of: "PKI", with: pki.directory.path)
                .replacingOccurrences(of: "CONTENT", with: content.path)
        })
    }

    @Test func anInboxPageWithAMistypedMemberIsRefusedByName() async throws {
        let page = #"{"next": "3", "items": [{"delivery_id": 42, "message_id": "m-1", "from": "nz.immigration", "type": "referral", "purpose": "law-enforcement", "agreement": "inz-police-investigations", "withheld": [], "received_at": "2026-12-05T00:00:00Z", "audit_leaf": 7, "presentation": "eyJhbGciOiJFUzI1NiJ9.Tupou-secret.sig~", "cursor": "3"}]}"#
        let output = try await Self.accord(["inbox", "--as", "nz.police", "--gateway", "127.0.0.1:PORT", "--pki", "PKI"],
                                           answers: ["/v1/inbox": (200, page)])
        #expect(output.status != 0)
        #expect(output.standardError.contains("the gateway's answer to GET /v1/inbox does not read: 'items[0].delivery_id' must be a string"),
                "\(output.standardError)")
        #expect(!output.standardError.contains("Tupou-secret"), "the error quotes the answer's values")
    }

    @Test func anAnswerThatIsNotJSONIsRefusedAndAProblemIsShownByItsCode() async throws {
        let broken = try await Self.accord(["inbox", "--as", "nz.police", "--gateway", "127.0.0.1:PORT", "--pki", "PKI"],
                                           answers: ["/v1/inbox": (200, #"{"items": [], "items": [], "next": "0"}"#)])
        #expect(broken.status != 0)
        #expect(broken.standardError.contains("the gateway's answer to GET /v1/inbox does not read: not JSON: ")
                && broken.standardError.contains("repeats a key"), "\(broken.standardError)")

        let refused = try await Self.accord(
            ["send", "--as", "nz.police", "--gateway", "127.0.0.1:PORT", "--pki", "PKI", "--to", "nz.immigration", "--type", "referral",
             "--purpose", "law-enforcement", "--json", "CONTENT"],
            answers: ["/v1/keys": (200, #"{"binding": {"kty": "EC", "crv": "P-256"}}"#)])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("the gateway's answer to GET /v1/keys does not read: 'binding.x' is missing"),
                "\(refused.standardError)")

        let problem = try await Self.accord(["inbox", "--as", "nz.police", "--gateway", "127.0.0.1:PORT", "--pki", "PKI"],
                                            answers: ["/v1/inbox": (403, #"{"code": "unknown-agency", "detail": "not in the registry"}"#)])
        #expect(problem.status != 0)
        #expect(problem.standardError.contains("refused (403 unknown-agency): not in the registry"), "\(problem.standardError)")
    }
}
