import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Writes a `certificate.rejected` leaf for each client certificate refused in a TLS handshake,
/// with the reason code and the certificate's fingerprint, but at most one a minute for the
/// same source address and reason: a flood of bad handshakes is counted in the log, it does
/// not grow it (docs/operations.md, "Refused certificates").
final class CertificateRejectionAudit: Service, Sendable {
    private struct Key: Hashable {
        let source: String
        let reason: String
    }

    /// How long one source and reason stay quiet after a leaf.
    static let window: TimeInterval = 60
    /// Sources remembered at once; past it, the oldest quiet ones are forgotten first.
    static let capacity = 4_096

    private let store: any AuditAppending
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let recent = Mutex<[Key: Date]>([:])
    private let pending: AsyncStream<AuditRecord>
    private let continuation: AsyncStream<AuditRecord>.Continuation

    init(store: any AuditAppending, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.logger = logger
        self.clock = clock
        // Bounded: if the writer falls behind a flood, the newest refusals are the ones kept.
        (pending, continuation) = AsyncStream.makeStream(of: AuditRecord.self, bufferingPolicy: .bufferingNewest(256))
    }

    /// A refusal seen `elapsed` seconds ago still stands for this one. A negative time means the
    /// clock was stepped back since: the window is taken as over, so that a step never silences
    /// the audit for its length (docs/operations.md, "When the clock steps").
    static func withinWindow(_ elapsed: TimeInterval) -> Bool {
        elapsed >= 0 && elapsed < window
    }

    /// For `OpenSSLServerChannel`'s rejection observer; `listener` names the listener.
    func observe(_ rejection: CertificateRejection, fingerprint: String?, remote: SocketAddress?, listener: String) {
        let now = clock()
        let source = remote?.ipAddress ?? "unknown"
        let key = Key(source: source, reason: rejection.code.rawValue)
        let admitted = recent.withLock { recent -> Bool in
            if let last = recent[key], Self.withinWindow(now.timeIntervalSince(last)) { return false }
            if recent.count >= Self.capacity {
                recent = recent.filter { Self.withinWindow(now.timeIntervalSince($0.value)) }
                if recent.count >= Self.capacity { return false }
            }
            recent[key] = now
            return true
        }
        guard admitted else { return }
        var details = ["source": source, "listener": listener]
        if let fingerprint { details["certificate_sha256"] = fingerprint }
        continuation.yield(AuditRecord(event: .certificateRejected, time: now, actor: "gateway", reason: rejection.code.rawValue,
                                       details: details))
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            for await record in pending {
                do { _ = try await store.append([record]) } catch {
                    logger.error("cannot audit a refused certificate", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: { [continuation] in
            continuation.finish()
        }
    }
}
