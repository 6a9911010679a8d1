import AccordGateway
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Every `trust.check_seconds`: reloads the trust if a file under the certificates directory
/// changed (a CRL published by a timer, say), sets each CRL's seconds to nextUpdate in
/// `accord_crl_next_update_seconds`, and warns, at most once an hour for each CRL, when one
/// has less than `warning` left.
struct TrustWatchService: Service {
    let reloader: TrustReloader
    let interval: Duration
    let warning: TimeInterval
    let factory: any MetricsFactory
    let logger: Logger

    func run() async throws {
        var warned: [String: Date] = [:]
        var gauges: [String: Gauge] = [:]
        await reloader.reloadIfFilesChanged()
        let ticks = AsyncTimerSequence(interval: interval).cancelOnGracefulShutdown()
        var iterator = ticks.makeAsyncIterator()
        repeat {
            let now = Date()
            for list in await reloader.current.crls {
                let left = list.nextUpdate.map { $0.timeIntervalSince(now) } ?? 0
                let gauge = gauges[list.issuer] ?? Gauge(label: "accord_crl_next_update_seconds", dimensions: [("issuer", list.issuer)], factory: factory)
                gauges[list.issuer] = gauge
                gauge.record(left)
                // Once an hour; a clock stepped back (a negative interval) warns at once rather than stay silent.
                let sinceWarned = now.timeIntervalSince(warned[list.issuer] ?? .distantPast)
                guard left < warning, sinceWarned >= 3_600 || sinceWarned < 0 else { continue }
                warned[list.issuer] = now
                logger.warning(left <= 0 ? "a CRL has passed its nextUpdate" : "a CRL reaches its nextUpdate soon: publish a fresh one",
                               metadata: ["issuer": "\(list.issuer)", "seconds_left": "\(Int(left))"])
            }
            guard await iterator.next() != nil else { return }
            await reloader.reloadIfFilesChanged()
        } while true
    }
}
