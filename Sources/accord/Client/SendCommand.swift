import AccordCore
import AccordClient
import AccordCrypto
import AccordGateway
import AccordMessages
import ArgumentParser
import Foundation

/// `accord send`: issues a message as an agency system would (SD-JWT signed with the agency's
/// signing key, every content claim selectively disclosable, bound to the gateway's key) and
/// submits it over mutual TLS.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Sign a message as an agency and submit it to the gateway.",
        discussion: "message.json holds the content claims (a JSON object); the routing claims come from the options."
    )

    @OptionGroup var client: ClientOptions

    @Option(help: "Recipient agency ids, comma-separated.")
    var to: String

    @Option(help: "The message type (a schema in Agreements/schemas).")
    var type: String

    @Option(help: "The purpose (Agreements/purposes.yaml).")
    var purpose: String

    @Option(help: "The protective marking.")
    var classification = "IN-CONFIDENCE"

    @Option(name: .customLong("case-ref"), help: "The sender's case reference (accord.case_ref), sent in clear: the gateway refuses it unless the schema declares accord.case_ref and the agreement discloses it.")
    var caseRef: String?

    @Option(help: "The agreement relied on, where several cover the flow.")
    var agreement: String?

    @Option(help: "The message id (jti); a fresh UUID by default. Each send signs anew, so sending again under a used jti is refused (409 jti-reused); only the same bytes resubmitted are idempotent.")
    var jti: String?

    @Option(name: .customLong("signing-key"), help: "The agency's signing key (PKCS#8 PEM); default agencies/<id>/signing-key.pem in --pki.")
    var signingKey: String?

    @Argument(help: "The content claims, a JSON file ('-' for standard input).")
    var file: String

    func run() async throws {
        let content = try MessageFile.read(file)
        let gateway = try await GatewayClient.connect(client)
        defer { Task { await gateway.close() } }
        let holder = try await GatewayPublicKey.binding(gateway)
        let text = try MessageFile.issue(
            content: content, as: client.agency, signingKey: signingKey ?? gateway.pki.appendingPathComponent("agencies/\(client.agency)/signing-key.pem").path,
            to: to.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }, type: type, purpose: purpose,
            classification: classification, caseRef: caseRef, agreement: agreement, jti: jti ?? UUID().uuidString.lowercased(), holder: holder)
        let response = try await gateway.call("POST", "/v1/messages", body: Array(text.utf8), contentType: "application/sd-jwt", accepted: [200, 202])
        await gateway.close()
        if client.json {
            print(response.bodyText)
            return
        }
        let receipt = try SubmissionReceipt(json: Array(response.body))
        print("\(response.status == 202 ? "accepted" : "already accepted"): message \(receipt.messageID) (jti \(receipt.jti))")
        for recipient in receipt.recipients {
            let withheld = recipient.withheld.joined(separator: ", ")
            print("  → \(recipient.recipient): \(recipient.status) under \(recipient.agreement)"
                  + (withheld.isEmpty ? "" : "; withheld: \(withheld)") + (recipient.auditLeaf.map { "; audit leaf \($0)" } ?? ""))
        }
        if let size = receipt.checkpointSize {
            print("  latest signed checkpoint: \(size) leaves (GET /v1/proofs/inclusion?leaf=<audit leaf> proves each leaf once a checkpoint covers it)")
        }
    }
}

/// Reading and issuing a message the way an agency system does.
enum MessageFile {
    static func read(_ path: String) throws -> [String: JSONValue] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            data = read
        }
        let value: JSONValue
        do { value = try JSONParser.parse([UInt8](data)) } catch {
            throw ValidationError("\(path): not valid JSON (\(error.kind) at byte \(error.offset))")
        }
        guard case .object(let object) = value else { throw ValidationError("\(path): the content claims must be a JSON object") }
        return object
    }

    static func issue(
        content: [String: JSONValue], as agency: String, signingKey path: String, to recipients: [String], type: String, purpose: String,
        classification: String, caseRef: String?, agreement: String?, jti: String, holder: PublicKey, issuedAt: Date = Date()
    ) throws -> String {
        let key: PrivateKey
        do { key = try PrivateKey(pemFile: path) } catch {
            throw ValidationError("cannot read the signing key \(path) (\(error)); run 'accord pki init'")
        }
        var routing: [String: JSONValue] = [
            "type": .string(type), "to": .array(recipients.map(JSONValue.string)), "purpose": .string(purpose),
            "classification": .string(classification),
        ]
        if let caseRef { routing["case_ref"] = .string(caseRef) }
        if let agreement { routing["agreement"] = .string(agreement) }
        var message = content
        for name in ClearClaims.names { message[name] = nil }
        message["iss"] = .string(agency)
        message["jti"] = .string(jti)
        message["iat"] = .integer(Int(issuedAt.timeIntervalSince1970))
        message["exp"] = .integer(Int(issuedAt.timeIntervalSince1970) + 3600)
        message["accord"] = .object(routing)
        return try SDJWTIssuer(signingKey: key, kid: key.publicKey.jwk.thumbprintBase64URL).issue(message, holderKey: holder)
    }
}

/// The gateway's binding key, from `GET /v1/keys`.
enum GatewayPublicKey {
    static func binding(_ gateway: GatewayClient) async throws -> PublicKey {
        struct Keys: Decodable { let binding: JWK }
        return try PublicKey(jwk: try await gateway.read(Keys.self, "GET", "/v1/keys").value.binding)
    }
}
