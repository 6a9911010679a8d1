import AccordCore
import Testing

/// The digest value: exactly 32 bytes, hex both ways, equal only when every byte is.
@Suite struct DigestTests {
    static let emptyHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func readsAndWritesHex() throws {
        let digest = try #require(Digest(hex: Self.emptyHex.uppercased()))
        #expect(digest.hex == Self.emptyHex)
        #expect(digest.description == Self.emptyHex)
        #expect(digest.bytes.count == 32 && digest.bytes.first == 0xE3 && digest.bytes.last == 0x55)
        #expect(Digest(bytes: digest.bytes) == digest)
    }

    @Test func refusesAnythingButThirtyTwoBytes() {
        #expect(Digest(bytes: [UInt8](repeating: 0, count: 31)) == nil)
        #expect(Digest(bytes: [UInt8](repeating: 0, count: 33)) == nil)
        #expect(Digest(hex: String(Self.emptyHex.dropLast(2))) == nil)
        #expect(Digest(hex: String(Self.emptyHex.dropLast()) + "g") == nil)
    }

    @Test func equalOnlyWhenEveryByteIs() throws {
        let digest = try #require(Digest(hex: Self.emptyHex))
        for position in [0, 7, 8, 31] {
            var bytes = digest.bytes
            bytes[position] ^= 0x01
            let other = try #require(Digest(bytes: bytes))
            #expect(other != digest, "byte \(position)")
            #expect(!bytes.withUnsafeBytes { digest.equals($0) })
            #expect(Set([digest, other]).count == 2)
        }
        #expect(digest.bytes.withUnsafeBytes { digest.equals($0) })
        #expect(!Array(digest.bytes.prefix(31)).withUnsafeBytes { digest.equals($0) })
    }
}
