import AccordCore
import AccordClient
import AccordCrypto
import AccordGateway
import AccordMessages
import ArgumentParser
import Foundation

/// `accord inbox`: pulls the presentations addressed to an agency, verifies each one as a
/// recipient system should (the originating agency's signature, the gateway's key binding
/// for this agency and delivery), prints what was disclosed, and acknowledges with `--ack`.
struct InboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inbox",
        abstract: "Pull, verify and optionally acknowledge the messages waiting for an agency."
    )

    @OptionGroup var client: ClientOptions

    @Flag(help: "Acknowledge each message once it verifies.")
    var ack = false

    @Option(help: "Read after this cursor (the 'next' of an earlier page).")
    var after: String?

    @Option(help: "At most this many messages.")
    var limit: Int?

    func run() async throws {
        let gateway = try await GatewayClient.connect(client)
        var path = "/v1/inbox"
        var query: [String] = []
        if let after { query.append("after=\(after)") }
        if let limit { query.append("limit=\(limit)") }
        if !query.isEmpty { path += "?" + query.joined(separator: "&") }
        let (page, response) = try await gateway.read(InboxPage.self, "GET", path)
        if client.json { print(response.bodyText) }
        let verifier = try RecipientVerifier(pki: gateway.pki)
        var failures = 0
        for item in page.items {
            do {
                let message = try verifier.verify(item, as: client.agency)
                if !client.json { InboxPrinter.print(item, message) }
                if ack {
                    _ = try await gateway.call("POST", "/v1/inbox/\(item.deliveryID)/ack")
                    if !client.json { Swift.print("  acknowledged") }
                }
            } catch {
                failures += 1
                Swift.print("delivery \(item.deliveryID): does NOT verify: \(error); not acknowledged")
            }
        }
        await gateway.close()
        if !client.json { Swift.print(page.items.isEmpty ? "inbox empty (cursor \(page.next))" : "next: --after \(page.next)") }
        if failures > 0 { throw ExitCode.failure }
    }
}

/// Verifies presentations the way a recipient system does, with the issuers' signing
/// certificates from the PKI directory.
struct RecipientVerifier {
    let verifier: SDJWTVerifier

    init(pki: URL) throws {
        let trust = try TrustStore.load(directory: pki.path)
        let agencies = pki.appendingPathComponent("agencies")
        let certificates = try FileManager.default.contentsOfDirectory(atPath: agencies.path).flatMap { name -> [Certificate] in
            let file = agencies.appendingPathComponent(name).appendingPathComponent("signing.pem").path
            return FileManager.default.fileExists(atPath: file) ? try Certificate.all(pemFile: file) : []
        }
        verifier = SDJWTVerifier(resolver: AgencySigningKeys(trustStore: trust, certificates: certificates))
    }

    /// `now` dates the presentation; the signing certificates are checked on the wall clock.
    func verify(_ item: InboxItem, as agency: String, now: Date = Date()) throws -> VerifiedMessage {
        try verifier.verify(item.presentation, now: now, keyBinding: KeyBindingExpectation(audience: agency, nonce: item.deliveryID.rawValue))
    }
}

enum InboxPrinter {
    static func print(_ item: InboxItem, _ message: VerifiedMessage) {
        Swift.print("\(item.deliveryID) from \(item.from): \(item.type) for \(item.purpose) under \(item.agreement)\(item.handling.map { ", handling \($0)" } ?? "") (audit leaf \(item.auditLeaf)\(item.checkpointSize.map { ", latest checkpoint \($0)" } ?? ""))")
        for (name, value) in message.claims.sorted(by: { $0.key < $1.key }) where !ClearClaims.names.contains(name) {
            Swift.print("  \(name): \(display(value))")
        }
        if !item.withheld.isEmpty { Swift.print("  withheld: \(item.withheld.joined(separator: ", "))") }
    }

    /// A claim value as JSON text for people; a number with no canonical form is named, not shown.
    static func display(_ value: JSONValue) -> String {
        (try? CanonicalJSON.string(value)) ?? "(a number outside the range a double holds)"
    }
}
