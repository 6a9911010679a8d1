@testable import AccordServer
import Testing

/// The wait before asking an unreachable witness again: doubling, capped, and with jitter that
/// only ever shortens it by up to half.
@Suite struct WitnessBackoffTests {
    let backoff = WitnessBackoff(base: .milliseconds(200), cap: .seconds(2))

    @Test func theWaitDoublesWithEachFailureUpToTheCap() {
        let waits = (1 ... 7).map { backoff.delay(afterFailures: $0, jitter: 0) }
        #expect(waits == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2), .seconds(2)])
        #expect(backoff.delay(afterFailures: 1_000, jitter: 0) == .seconds(2))
    }

    @Test func jitterTakesOffAtMostHalf() {
        #expect(backoff.delay(afterFailures: 3, jitter: 0.5) == .milliseconds(600))
        #expect(backoff.delay(afterFailures: 3, jitter: 0.999_999) > .milliseconds(400))
        #expect(backoff.delay(afterFailures: 9, jitter: 1) == .seconds(1))
    }
}
