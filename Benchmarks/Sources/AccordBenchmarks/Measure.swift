import Foundation

/// Runs `body` repeatedly for about `seconds` and returns operations per second.
func operationsPerSecond(seconds: Double = 3, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<100 { try body() }
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start.advanced(by: .milliseconds(Int(seconds * 1000)))
    var count = 0
    while clock.now < deadline {
        for _ in 0..<64 { try body() }
        count += 64
    }
    let elapsed = start.duration(to: clock.now)
    return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}

func formatRate(_ value: Double) -> String {
    String(format: "%10.0f", value)
}
