@testable import AccordAudit
import Foundation
import Testing

/// The byte-level ASCII normalisation of subject identifiers gives exactly what the
/// Foundation path gives, so hashes do not change with the shortcut.
@Suite struct SubjectNormalizationTests {
    @Test func asciiShortcutMatchesFoundationOnEveryASCIIShape() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\n\r\u{0B}\u{0C}abcxyzABCXYZ0189-_./:;'\"!@#$%^&*()[]{}<>?|~`=+,\\")
        var samples = ["", " ", "\t\n", "la123456", " LA123456 ", "a b", "\u{0B}x\u{0C}", "Zz", "nz4455667\n", "\u{7F}"]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...12, using: &generator)
            samples.append(String((0..<length).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for sample in samples {
            #expect(SubjectKey.ascii(sample, upper: true) == SubjectKey.normalizeWithFoundation(value: sample), "\(sample.debugDescription)")
            #expect(SubjectKey.ascii(sample, upper: false) == sample.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), "\(sample.debugDescription)")
        }
    }

    @Test func otherTextGoesThroughFoundation() throws {
        #expect(SubjectKey.ascii("ｌａ１２３", upper: true) == nil)
        let key = try SubjectKey(secret: [UInt8](repeating: 1, count: 32))
        // Full-width letters and digits are NFKC-equivalent to ASCII ones.
        #expect(key.hash(type: "passport", value: "ｌａ１２３４５６") == key.hash(type: "PASSPORT ", value: " LA123456"))
        #expect(key.hash(type: "passport", value: "é") == key.hash(type: "passport", value: "e\u{301}"))
    }
}
