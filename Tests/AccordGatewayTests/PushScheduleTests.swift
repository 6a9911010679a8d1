import AccordGateway
import Foundation
import Testing

/// The push worker's backoff and circuit breaker, stepped through without sleeping.
struct PushScheduleTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func delaysDoubleWithEachFailureWithinTheirJitterAndStopAtTheMaximum() {
        var schedule = PushSchedule(baseDelay: 1, maximumDelay: 16, breakerThreshold: 100, breakerInterval: 60)
        #expect(schedule.allows(at: start))
        var steps: [ClosedRange<TimeInterval>] = []
        for _ in 0..<7 {
            schedule.failed(at: start, jitter: 0)
            let low = schedule.wait(at: start)
            var high = schedule
            high.succeeded()
            for _ in 0..<schedule.consecutiveFailures { high.failed(at: start, jitter: 0.999_999) }
            steps.append(low...high.wait(at: start))
        }
        // Equal jitter: from half the step up to the whole step.
        let expected: [TimeInterval] = [1, 2, 4, 8, 16, 16, 16]
        for (step, whole) in zip(steps, expected) {
            #expect(abs(step.lowerBound - whole / 2) < 0.001 && abs(step.upperBound - whole) < 0.001, "\(step) for \(whole)")
        }
    }

    @Test func noAttemptIsAllowedBeforeTheDelayHasPassed() {
        var schedule = PushSchedule(baseDelay: 2, maximumDelay: 60)
        schedule.failed(at: start, jitter: 0.5)
        let wait = schedule.wait(at: start)
        #expect(wait == 1.5)
        #expect(!schedule.allows(at: start.addingTimeInterval(1.4)))
        #expect(schedule.allows(at: start.addingTimeInterval(1.5)))
        #expect(schedule.wait(at: start.addingTimeInterval(5)) == 0)
    }

    @Test func theBreakerOpensAfterTheThresholdProbesOncePerIntervalAndClosesOnSuccess() {
        var schedule = PushSchedule(baseDelay: 0.5, maximumDelay: 300, breakerThreshold: 3, breakerInterval: 90)
        schedule.failed(at: start, jitter: 0)
        schedule.failed(at: start, jitter: 0)
        #expect(schedule.breaker == .closed && schedule.wait(at: start) == 0.5)
        schedule.failed(at: start, jitter: 0)
        #expect(schedule.breaker == .open)
        #expect(schedule.wait(at: start) == 45)
        schedule.failed(at: start, jitter: 0.999_999)
        #expect(schedule.breaker == .open && abs(schedule.wait(at: start) - 90) < 0.001)
        schedule.succeeded()
        #expect(schedule.breaker == .closed && schedule.consecutiveFailures == 0 && schedule.allows(at: start))
        schedule.failed(at: start, jitter: 0)
        #expect(schedule.wait(at: start) == 0.25)
    }

    @Test func jitterOutsideItsRangeIsClamped() {
        var schedule = PushSchedule(baseDelay: 4, maximumDelay: 60)
        schedule.failed(at: start, jitter: -3)
        #expect(schedule.wait(at: start) == 2)
        schedule.succeeded()
        schedule.failed(at: start, jitter: 7)
        #expect(schedule.wait(at: start) == 4)
    }
}
