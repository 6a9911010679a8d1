import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// What the log's process tests do to a served gateway: run it, send referrals through it with
/// `accord send`, and wait for the checkpoint it publishes to reach a size.
extension ServedGateway {
    static let referral = #"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#

    func startServing() async throws -> BackgroundProcess {
        let server = try start()
        guard try await waitUntilServing(server) else {
            kill(server.processIdentifier, SIGKILL)
            throw GatewayDidNotStart()
        }
        return server
    }

    func stopServing(_ server: BackgroundProcess) async {
        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
    }

    /// `count` referrals from nz.immigration to nz.police; the last receipt's text.
    @discardableResult
    func sendReferrals(_ count: Int) async throws -> String {
        let content = directory.appendingPathComponent("referral.json")
        try Data(Self.referral.utf8).write(to: content)
        var receipt = ""
        for _ in 0 ..< count {
            let sent = try await ExternalProcess.run(accord, [
                "send", "--as", "nz.immigration", "--gateway", "localhost:\(port)", "--pki", pki.directory.path,
                "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
            ])
            #expect(sent.status == 0, "\(sent.standardError)")
            receipt = sent.standardOutput
        }
        return receipt
    }

    func leafCount() async throws -> UInt64 {
        let store = try SQLiteStore.open(path: database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
        return try await store.leafCount()
    }

    /// Polls `logURL`'s checkpoint until it covers `size` leaves, for up to a minute; returns its note.
    func publishedCheckpoint(_ logURL: String, reaching size: UInt64) async throws -> String {
        var last = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let answer = try await ExternalProcess.run("curl", ["--silent", "--max-time", "2", "\(logURL)/checkpoint"])
            last = answer.standardOutput
            if let note = try? SignedNote(parsing: last), let checkpoint = try? Checkpoint(text: note.text), checkpoint.size >= size {
                return last
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("no checkpoint covering \(size) leaves was published; last answer: \(last)")
        return last
    }
}
