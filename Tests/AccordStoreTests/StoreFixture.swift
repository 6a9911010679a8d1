import AccordAudit
import AccordCore
import AccordCrypto
import AccordStore
import Foundation

/// Builds stores, submissions and records for the storage tests.
enum StoreFixture {
    static let origin = "accord.test/audit"

    static func configuration(every: UInt64 = 1000, interval: Duration = .seconds(3600)) throws -> StoreConfiguration {
        StoreConfiguration(origin: origin, signer: try NoteSigner(name: origin, privateKey: PrivateKey.generate(.edDSA)),
                           checkpointEveryLeaves: every, checkpointInterval: interval)
    }

    /// Opens `path` as its writer again after a store on it was let go in this process. The
    /// earlier store's lock goes with its last reference, which a task finishing on another
    /// thread may hold a moment longer; a writer-locked answer is tried again for up to 30 s.
    static func reopen(_ path: String, configuration: StoreConfiguration) async throws -> SQLiteStore {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                return try SQLiteStore.open(path: path, configuration: configuration)
            } catch {
                guard error.code == .writerLocked, ContinuousClock.now < deadline else { throw error }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Removes a database file with the files SQLite and the writer keep beside it.
    static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-writer.lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("accord-store-\(UUID().uuidString).sqlite").path
    }

    static func record(_ event: AuditEvent, message: MessageID, to: [AgencyID] = ["immigration-nz"], passport: String? = nil) -> AuditRecord {
        let key = try! SubjectKey(secret: [UInt8](repeating: 9, count: 32))
        return AuditRecord(event: event, time: Date(), actor: "nz-police", messageID: message, from: "nz-police", to: to,
                           agreement: AgreementReference(id: "inz-police", versionDigest: "sha-256:01"),
                           disclosed: ["subject.name"], withheld: ["subject.health"], reason: "allowed",
                           subjects: passport.map { [key.hash(type: "passport", value: $0)] } ?? [])
    }

    static func submission(_ id: MessageID, passport: String? = nil) -> Submission {
        let text = "eyJ.payload.sig~disclosure~"
        return Submission(
            message: .init(id: id, sender: "nz-police", sdJWT: text, submissionDigest: "sha-256:" + Hex.encode(SHA256.hash(text)),
                           receivedAt: Date(), retainUntil: Date().addingTimeInterval(86_400)),
            deliveries: [.init(id: "\(id)/immigration-nz", recipient: "immigration-nz", envelope: envelope("eyJ.payload.sig~"))],
            audit: [record(.messageAccepted, message: id, passport: passport)])
    }

    /// The envelope of a delivery from Police to Immigration NZ under `inz-police`.
    static func envelope(_ redacted: String) -> DeliveryEnvelope {
        DeliveryEnvelope(redacted: redacted, sender: "nz-police", type: "referral", purpose: "investigation", agreementID: "inz-police",
                         agreementDigest: "sha-256:01", withheld: ["subject.health"], receivedMilliseconds: 1_700_000_000_000,
                         handling: "restricted", subjects: [], binding: nil)
    }
}

extension ServedStorage {
    /// Runs the writer around `body`, then stops it as a service manager would.
    func whileRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            do {
                let result = try await body()
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
