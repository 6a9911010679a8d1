import AccordAudit
import AccordCore
import AccordCrypto
import AccordStore
import ArgumentParser
import Foundation

/// Hidden: appends submissions from many concurrent callers and prints `ack <index>
/// <message>` for each as soon as it is durable. The crash test kills it with SIGKILL and
/// checks that every acknowledged leaf survived.
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load-test", abstract: "Append under load (for crash tests).", shouldDisplay: false)

    @Option var db: String
    @Option var key: String
    @Option var origin = AuditDefaults.origin
    @Option var concurrency = 16
    @Option(help: "Submissions per caller; 0 runs until killed.")
    var count = 0

    func run() async throws {
        let signer = try NoteSigner(name: origin, privateKey: PrivateKey(pemFile: key))
        let store = try SQLiteStore.open(path: db, configuration: StoreConfiguration(origin: origin, signer: signer, checkpointEveryLeaves: 100))
        let run = UUID().uuidString.prefix(8)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            try await withThrowingTaskGroup(of: Void.self) { callers in
                for caller in 0 ..< concurrency {
                    callers.addTask {
                        var n = 0
                        while count == 0 || n < count {
                            let id = "\(run)-\(caller)-\(n)"
                            let now = Date()
                            let submission = Submission(
                                message: .init(id: MessageID(id), sender: "load", sdJWT: "x.y.z~", submissionDigest: "sha-256:" + Hex.encode(SHA256.hash("x.y.z~")),
                                               receivedAt: now, retainUntil: now),
                                deliveries: [.init(id: DeliveryID(id + "/d"), recipient: "sink", envelope: DeliveryEnvelope(
                                    redacted: "x.y.z~", sender: "load", type: "load", purpose: "load", agreementID: "load",
                                    agreementDigest: "sha-256:00", withheld: [], receivedMilliseconds: AuditTime.milliseconds(now)))],
                                audit: [AuditRecord(event: .messageAccepted, time: now, actor: "load", messageID: MessageID(id), from: "load", to: ["sink"])])
                            let leaves = try await store.accept(submission)
                            FileHandle.standardOutput.write(Data("ack \(leaves[0]) \(id)\n".utf8))
                            n += 1
                        }
                    }
                }
                try await callers.waitForAll()
            }
            group.cancelAll()
        }
    }
}
