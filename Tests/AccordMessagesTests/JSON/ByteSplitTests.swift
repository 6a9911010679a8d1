import AccordTestSupport
@testable import AccordMessages
import Testing

@Suite struct ByteSplitTests {
    /// The same parts as the standard library's split keeping empty parts, over random bytes.
    @Test func agreesWithSplit() {
        let run = RandomRun("byte split", cases: 5_000, seed: 0x5EB)
        var random = run.generator
        var inputs: [[UInt8]] = [[], [0x7E], [0x7E, 0x7E], [0x41], [0x41, 0x7E], [0x7E, 0x41]]
        for _ in 0..<run.cases {
            inputs.append((0..<Int.random(in: 0...80, using: &random)).map { _ in
                Int.random(in: 0..<4, using: &random) == 0 ? 0x7E : UInt8.random(in: 0...255, using: &random)
            })
        }
        for input in inputs {
            let expected = input.split(separator: 0x7E, omittingEmptySubsequences: false).map { Array($0) }
            let actual = input.withUnsafeBufferPointer { buffer in
                ByteSplit.ranges(of: buffer, separatedBy: 0x7E).map { Array(buffer[$0]) }
            }
            #expect(actual == expected, "\(input) (\(run))")
        }
    }
}
