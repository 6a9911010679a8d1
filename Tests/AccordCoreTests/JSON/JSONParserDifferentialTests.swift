import AccordTestSupport
@testable import AccordCore
import Testing

/// `JSONParser` against the parser it replaced (`ReferenceJSONParser`) over random and mutated
/// texts: the same value, or the same failure (kind, duplicate-key path, byte offset), also
/// when one scratch is kept across all the parses, refused ones included, as the verifier does.
@Suite struct JSONParserDifferentialTests {
    @Test func agreesWithTheReference() async {
        let run = RandomRun("JSON parser differential", cases: 20_000, seed: 0x15_0A)
        var random = run.generator
        var texts: [[UInt8]] = [
            [], Array(#"{"a":{"b":[{"c":1,"c":2}]}}"#.utf8), Array(#"[[{"x":1}],[{"y":1,"y":1}]]"#.utf8),
            Array(#"{"é":1,"é":2}"#.utf8), Array(#"{"K":1,"K":2}"#.utf8), Array("\"abc".utf8), Array("\"a\\".utf8),
            Array("\"\\uD83D\\uDE00\"".utf8), [0x22, 0xC3, 0xA9, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xC3, 0x01, 0x22], Array("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18]".utf8),
        ]
        let wide = (0..<40).map { "\"k\($0 % 37)\":\($0)" }.joined(separator: ",")
        texts.append(Array(("{" + wide + "}").utf8))
        texts.append(Array(("{\"o\":{" + (0..<20).map { "\"k\($0)\":[\($0)]" }.joined(separator: ",") + "}}").utf8))
        for _ in 0..<run.cases { texts.append(Self.mutate(Array(Self.randomJSON(&random, depth: 0).utf8), &random)) }
        var scratch = JSONParser.Scratch()
        for text in texts {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            let maxDepth = Int.random(in: 1...6, using: &random)
            let expected = Self.outcome { () throws(ReferenceJSONParser.Failure) in try ReferenceJSONParser.parse(text, maxDepth: maxDepth) }
            let actual = Self.outcome { () throws(JSONParser.Failure) in try JSONParser.parse(text, maxDepth: maxDepth) }
            #expect(actual == expected, "\(String(decoding: text, as: UTF8.self).debugDescription) maxDepth \(maxDepth) (\(run))")
            let reused = Self.outcome { () throws(JSONParser.Failure) in try JSONParser.parse(text, maxDepth: maxDepth, scratch: &scratch) }
            #expect(reused == expected, "with a kept scratch: \(String(decoding: text, as: UTF8.self).debugDescription) (\(run))")
        }
    }

    private enum Outcome: Equatable {
        case parsed(JSONValue)
        case refused(JSONParser.Failure.Kind, Int)
    }

    private static func outcome(_ body: () throws(JSONParser.Failure) -> JSONValue) -> Outcome {
        do { return .parsed(try body()) } catch { return .refused(error.kind, error.offset) }
    }

    private static func outcome(_ body: () throws(ReferenceJSONParser.Failure) -> JSONValue) -> Outcome {
        do { return .parsed(try body()) } catch { return .refused(error.kind, error.offset) }
    }

    /// JSON text with repeated keys now and then, escapes, non-ASCII and odd spacing.
    private static func randomJSON(_ random: inout SplitMix64, depth: Int) -> String {
        let space = [" ", "", "", "\n", "\t", "\r\n "].randomElement(using: &random)!
        switch Int.random(in: 0..<(depth > 4 ? 5 : 8), using: &random) {
        case 0: return ["true", "false", "null"].randomElement(using: &random)!
        case 1: return ["0", "-1", "12.5", "1e3", "-0.0E-2", "123456789012345678901234567890"].randomElement(using: &random)!
        case 2, 3, 4: return randomString(&random)
        case 5, 6:
            let count = Int.random(in: 0...(Bool.random(using: &random) ? 4 : 20), using: &random)
            let keys = ["a", "b", "_sd", "...", "é", "e\u{301}", "K", "\u{212A}", "key", "k1", "k2", "k3"]
            let members = (0..<count).map { index -> String in
                let key = Int.random(in: 0..<6, using: &random) == 0 ? keys.randomElement(using: &random)! : "m\(index)"
                return "\"\(key)\"" + space + ":" + space + randomJSON(&random, depth: depth + 1)
            }
            return "{" + space + members.joined(separator: "," + space) + space + "}"
        default:
            let count = Int.random(in: 0...5, using: &random)
            return "[" + (0..<count).map { _ in randomJSON(&random, depth: depth + 1) }.joined(separator: "," + space) + "]"
        }
    }

    private static func randomString(_ random: inout SplitMix64) -> String {
        let pieces = ["a", "Sione", " ", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u00e9", "\\u0000", "\\uD83D\\uDE00", "\\uDE00", "\\uD83D",
                      "é", "😀", "~", "\\x", "\\u12", "_", "-"]
        return "\"" + (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
    }

    /// Sometimes left alone; otherwise bytes changed, dropped, inserted or cut off.
    private static func mutate(_ text: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var text = text
        let significant: [UInt8] = Array("{}[]:,\"\\ 0-eE.tfnu".utf8) + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]
        for _ in 0..<Int.random(in: 0...2, using: &random) where !text.isEmpty {
            let at = Int.random(in: 0..<text.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: text[at] = significant.randomElement(using: &random)!
            case 1: text.remove(at: at)
            case 2: text.insert(significant.randomElement(using: &random)!, at: at)
            default: text.removeSubrange(at...)
            }
        }
        return text
    }
}
