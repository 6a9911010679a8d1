import AccordGateway
import AccordStore
import Logging
import ServiceLifecycle

/// On PostgreSQL, where several nodes share one database: brings a set another node
/// activated into force here, prompted by its NOTIFY and, should that be lost, by a check
/// every second, so every node follows within 2 s (docs/operations.md, "PostgreSQL").
struct AgreementFollowerService: Service {
    let store: PostgresStore
    let gateway: Gateway
    let logger: Logger

    func run() async throws {
        let (store, gateway, logger) = (store, gateway, logger)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await store.waitForAgreementActivation(timeout: .seconds(1))
                do throws(StoreError) { _ = try await gateway.followRecordedAgreements() } catch {
                    logger.warning("cannot read the agreement set recorded last", metadata: ["error": "\(error.code.rawValue)"])
                }
            }
        }
    }
}
