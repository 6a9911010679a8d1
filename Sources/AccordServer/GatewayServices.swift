import AccordAudit
import AccordGateway
import AccordStore
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs the store's group-commit writer for the life of the gateway. On graceful shutdown,
/// which comes after the listeners have finished their in-flight requests, it writes
/// `gateway.stopped`, then drains the writer and signs a final checkpoint.
struct StoreService: Service {
    let store: any GatewayStorage
    let gateway: Gateway
    let actor: String

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            try? await gracefulShutdown()
            _ = try? await store.append([AuditRecord(event: .gatewayStopped, time: Date(), actor: actor)])
            group.cancelAll()
        }
    }
}

/// Once a minute: catches up with agreements that went out of force by date (audited), then
/// expires open deliveries whose retention has ended (audited) and purges the message texts
/// (their audit leaves stay), both as of one instant.
struct RetentionService: Service {
    let gateway: Gateway
    let logger: Logger
    let interval: Duration

    func run() async throws {
        for await _ in AsyncTimerSequence(interval: interval).cancelOnGracefulShutdown() {
            await gateway.reconcileAgreements()
            do {
                let outcome = try await gateway.applyRetention()
                if outcome.expired > 0 { logger.info("retention expired deliveries", metadata: ["count": "\(outcome.expired)"]) }
                if outcome.purged > 0 { logger.info("retention purged messages", metadata: ["count": "\(outcome.purged)"]) }
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error.code)"])
            }
        }
    }
}

/// Re-reads `Agreements/` on SIGHUP: validated first, audited, and activated only if valid
/// (and, when `accord agreements activate --digest` asked, only if the files are the version
/// reviewed), while traffic goes on against the set in force; then the trust (certificates,
/// CRLs, the registry's CA bindings), the same way.
struct AgreementReloadService: Service {
    let gateway: Gateway
    let trust: TrustReloader
    let directory: URL
    let request: ActivationRequest
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await AgreementReloadService.reload(gateway: gateway, directory: directory, reviewed: request.take(),
                                                actor: "operator:sighup", logger: logger)
            _ = await trust.reload(by: "operator:sighup")
        }
    }

    static func reload(gateway: Gateway, directory: URL, reviewed: String?, actor: String, logger: Logger) async {
        do {
            switch try await gateway.activateAgreements(from: directory, reviewed: reviewed, by: actor) {
            case .activated(let digest, let version, let count):
                logger.notice("agreement set activated", metadata: ["digest": "\(digest)", "version": "\(version)", "agreements": "\(count)"])
            case .unchanged(let digest):
                logger.info("agreement set unchanged", metadata: ["digest": "\(digest)"])
            case .rejected(let diagnostics):
                for diagnostic in diagnostics.prefix(20) {
                    logger.error("agreement set rejected", metadata: ["problem": "\(diagnostic)"])
                }
            case .changedSinceReview(let filesDigest):
                logger.error("agreement files changed since they were reviewed; nothing activated", metadata: ["files_digest": "\(filesDigest)"])
            }
        } catch {
            logger.error("agreement activation failed", metadata: ["error": "\(error)"])
        }
    }
}

/// A fixed-interval tick sequence, ending when cancelled.
struct AsyncTimerSequence: AsyncSequence, Sendable {
    typealias Element = Void
    let interval: Duration

    struct AsyncIterator: AsyncIteratorProtocol {
        let interval: Duration

        mutating func next() async -> Void? {
            do { try await Task.sleep(for: interval) } catch { return nil }
            return ()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(interval: interval) }
}
