import AccordCore
import AccordTestSupport
import Testing

/// The byte-level `Base64URL` coder against the straightforward one it replaced (kept below as
/// the reference), over random and adversarial input: same bytes, or the same error message.
@Suite struct Base64URLDifferentialTests {
    @Test func decodeAgreesWithTheReference() async {
        let run = RandomRun("base64url decode differential", cases: 20_000, seed: 0xB64)
        var random = run.generator
        var cases = [
            "", "A", "AA", "AAA", "AAAA", "AB", "AAB", "Zg", "Zh", "Zm8", "Zm9", "Zg==", "Zm9v=", "=", "====", "Zm9v+", "Zm9v/",
            "Zm9 v", "Zm9v\n", "-_8", "-_9", "____", "___", "__", "é", "AAé", "Zm9vé", "😀AA", "\u{0}AAA", "A\u{7F}AA", "AAA\u{80}",
        ]
        for _ in 0..<run.cases { cases.append(Self.randomText(&random)) }
        for text in cases {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            let expected = Self.outcome { () throws(Base64URL.Failure) in try ReferenceBase64URL.decode(text) }
            #expect(Self.outcome { () throws(Base64URL.Failure) in try Base64URL.decode(text) } == expected, "\(text.debugDescription) (\(run))")
            let embedded = "~." + text + ".~"
            let slice = embedded.dropFirst(2).dropLast(2)
            #expect(Self.outcome { () throws(Base64URL.Failure) in try Base64URL.decode(slice) } == expected, "substring \(text.debugDescription) (\(run))")
            let raw = Array(text.utf8).withUnsafeBytes { buffer in
                Self.outcome { () throws(Base64URL.Failure) in try Base64URL.decode(buffer) }
            }
            #expect(raw == expected, "bytes \(text.debugDescription) (\(run))")
        }
    }

    @Test func encodeAgreesWithTheReference() throws {
        let run = RandomRun("base64url encode differential", cases: 300, seed: 0xE64)
        var random = run.generator
        for length in 0..<run.cases {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let expected = ReferenceBase64URL.encode(bytes)
            #expect(Base64URL.encode(bytes) == expected, "\(run)")
            #expect(Base64URL.encode(bytes[...]) == expected, "\(run)")
            #expect(Base64URL.encode(bytes.lazy.map { $0 }) == expected, "non-contiguous (\(run))")
            #expect(bytes.withUnsafeBytes { Base64URL.encode($0) } == expected, "\(run)")
            #expect(try Base64URL.decode(expected) == bytes, "\(run)")
            let text = String(decoding: bytes.map { $0 & 0x7F }, as: UTF8.self)
            #expect(Base64URL.encode(text) == ReferenceBase64URL.encode(Array(text.utf8)), "\(run)")
        }
    }

    private enum Outcome: Equatable {
        case decoded([UInt8])
        case refused(String)
    }

    private static func outcome(_ body: () throws(Base64URL.Failure) -> [UInt8]) -> Outcome {
        do { return .decoded(try body()) } catch { return .refused(error.message) }
    }

    /// Mostly valid encodings of random bytes, then mutated: a character changed to one in or
    /// out of the alphabet, padding added, truncation, the trailing bits set.
    private static func randomText(_ random: inout SplitMix64) -> String {
        let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        var characters = Array(ReferenceBase64URL.encode(bytes).unicodeScalars)
        let strange: [Unicode.Scalar] = ["=", "+", "/", " ", "\n", "\u{0}", "~", ".", "\u{7F}", "\u{80}", "é", "😀", "\u{FEFF}"]
        switch Int.random(in: 0..<8, using: &random) {
        case 0: break
        case 1 where !characters.isEmpty:
            characters[Int.random(in: 0..<characters.count, using: &random)] = strange.randomElement(using: &random)!
        case 2 where !characters.isEmpty:
            characters[Int.random(in: 0..<characters.count, using: &random)] = ReferenceBase64URL.alphabetScalars.randomElement(using: &random)!
        case 3: characters += Array(repeating: "=", count: Int.random(in: 1...2, using: &random))
        case 4 where !characters.isEmpty: characters.removeLast(Int.random(in: 1...min(3, characters.count), using: &random))
        case 5: characters.append(ReferenceBase64URL.alphabetScalars.randomElement(using: &random)!)
        case 6:
            characters = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                Bool.random(using: &random) ? strange.randomElement(using: &random)! : ReferenceBase64URL.alphabetScalars.randomElement(using: &random)!
            }
        default:
            characters.insert(strange.randomElement(using: &random)!, at: Int.random(in: 0...characters.count, using: &random))
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: characters)
        return text
    }
}

/// The coder as it was before the byte-level rewrite: one byte at a time through an iterator.
private enum ReferenceBase64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let alphabetScalars = alphabet.map { Unicode.Scalar($0) }

    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int(((b0 & 0x03) << 4) | ((b1 ?? 0) >> 4))])
            if let b1 { output.append(alphabet[Int(((b1 & 0x0F) << 2) | ((b2 ?? 0) >> 6))]) }
            if let b2 { output.append(alphabet[Int(b2 & 0x3F)]) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: some StringProtocol) throws(Base64URL.Failure) -> [UInt8] {
        let input = Array(text.utf8)
        if input.count % 4 == 1 {
            throw Base64URL.Failure(message: "base64url text of length \(input.count) cannot be decoded")
        }
        var output = [UInt8]()
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, character) in input.enumerated() {
            let value = decodeTable[Int(character)]
            if value == 0xFF {
                throw Base64URL.Failure(message: "character at offset \(offset) is not in the base64url alphabet")
            }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        if bits > 0 && (accumulator & ((1 << UInt32(bits)) - 1)) != 0 {
            throw Base64URL.Failure(message: "base64url text has non-zero trailing bits")
        }
        return output
    }
}
