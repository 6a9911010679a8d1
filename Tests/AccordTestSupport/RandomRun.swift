import Foundation

/// The seed and size of one randomized test. `ACCORD_RANDOM_SEED` replays a run (or, set to
/// `random`, draws a fresh seed); `ACCORD_RANDOM_CASES` sets the policy differential test's case
/// count, and every other randomized test scales its own by the same ratio (docs/testing.md).
/// Failure messages carry `description`, so a failing run names the seed that replays it.
public struct RandomRun: Sendable, CustomStringConvertible {
    /// The policy differential test's cases when `ACCORD_RANDOM_CASES` is not set; the ratio
    /// other tests scale by is `ACCORD_RANDOM_CASES` over this.
    public static let referenceCases = 100_000

    public let name: String
    public let seed: UInt64
    public let cases: Int

    /// `cases` and `seed` are the test's own defaults. Prints the seed the run uses.
    public init(_ name: String, cases defaultCases: Int, seed defaultSeed: UInt64, environment: [String: String]? = nil) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        self.name = name
        switch environment["ACCORD_RANDOM_SEED"] {
        case "random"?: seed = UInt64.random(in: 0...UInt64.max)
        case let text?: seed = UInt64(text) ?? UInt64(text.replacingOccurrences(of: "0x", with: ""), radix: 16) ?? defaultSeed
        case nil: seed = defaultSeed
        }
        if let total = environment["ACCORD_RANDOM_CASES"].flatMap(Int.init), total > 0 {
            cases = max(1, Int((Double(defaultCases) * Double(total) / Double(Self.referenceCases)).rounded()))
        } else {
            cases = defaultCases
        }
        print(description + ", \(cases) cases")
    }

    /// The generator this run draws from.
    public var generator: SplitMix64 { SplitMix64(seed: seed) }

    public var description: String { "\(name): seed \(seed) (replay with ACCORD_RANDOM_SEED=\(seed))" }
}
