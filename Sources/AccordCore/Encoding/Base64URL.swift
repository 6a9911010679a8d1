/// Base64url without padding (RFC 4648 section 5), as JOSE and SD-JWT use it. Decoding is
/// strict: padding, characters outside the alphabet, an impossible length and non-zero
/// trailing bits are all rejected, so that one value has exactly one encoding.
///
/// The work is done by the non-generic forms over contiguous bytes; the generic forms are
/// inlinable so that callers in other modules reach those without unspecialised generic code.
public enum Base64URL {
    /// Why a text is not base64url: the offending offset (in UTF-8 bytes) or the rule broken.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String

        public init(message: String) {
            self.message = message
        }

        public var description: String { message }
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 6-bit value of each byte, 0xFF for a byte outside the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    @inlinable
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) { return text }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    public static func encode(_ string: String) -> String {
        var string = string
        return string.withUTF8 { encode(UnsafeRawBufferPointer($0)) }
    }

    /// Encodes contiguous bytes.
    public static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let count = bytes.count
        let full = count / 3
        let rest = count - full * 3
        let length = full * 4 + (rest == 0 ? 0 : rest + 1)
        guard length > 0 else { return "" }
        return alphabet.withUnsafeBufferPointer { table in
            String(unsafeUninitializedCapacity: length) { output in
                var out = 0
                for group in 0..<full {
                    let b0 = bytes[group * 3], b1 = bytes[group * 3 + 1], b2 = bytes[group * 3 + 2]
                    output[out] = table[Int(b0 >> 2)]
                    output[out + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    output[out + 2] = table[Int((b1 & 0x0F) << 2 | b2 >> 6)]
                    output[out + 3] = table[Int(b2 & 0x3F)]
                    out += 4
                }
                if rest > 0 {
                    let b0 = bytes[full * 3]
                    let b1: UInt8 = rest == 2 ? bytes[full * 3 + 1] : 0
                    output[out] = table[Int(b0 >> 2)]
                    output[out + 1] = table[Int((b0 & 0x03) << 4 | b1 >> 4)]
                    if rest == 2 { output[out + 2] = table[Int((b1 & 0x0F) << 2)] }
                }
                return length
            }
        }
    }

    /// Decodes `text`, or throws a `Failure` naming the first offending offset
    /// (in UTF-8 bytes).
    @inlinable
    public static func decode(_ text: some StringProtocol) throws(Failure) -> [UInt8] {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { utf8 in
            Result { () throws(Failure) in try decode(UnsafeRawBufferPointer(utf8)) }
        }
        if let contiguous { return try contiguous.get() }
        return try Array(text.utf8).withUnsafeBytes { utf8 in
            Result { () throws(Failure) in try decode(utf8) }
        }.get()
    }

    /// Decodes base64url text given as its ASCII bytes. The same checks, in the same order, as
    /// `decode(_:)` of a string: length, then each byte in turn, then the trailing bits.
    public static func decode(_ text: UnsafeRawBufferPointer) throws(Failure) -> [UInt8] {
        let count = text.count
        if count % 4 == 1 {
            throw Failure(message: "base64url text of length \(count) cannot be decoded")
        }
        let full = count / 4
        let rest = count - full * 4
        let length = full * 3 + (rest == 0 ? 0 : rest - 1)
        // 0 when decoded; otherwise the offset of the first byte outside the alphabet plus one,
        // or -1 for non-zero trailing bits.
        var failure = 0
        let output = decodeTable.withUnsafeBufferPointer { table in
            [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
                var out = 0
                for group in 0..<full {
                    let at = group * 4
                    let v0 = table[Int(text[at])], v1 = table[Int(text[at + 1])]
                    let v2 = table[Int(text[at + 2])], v3 = table[Int(text[at + 3])]
                    guard (v0 | v1 | v2 | v3) & 0x80 == 0 else {
                        failure = Self.firstInvalid(text, from: at, table) + 1
                        break
                    }
                    output[out] = v0 << 2 | v1 >> 4
                    output[out + 1] = v1 << 4 | v2 >> 2
                    output[out + 2] = v2 << 6 | v3
                    out += 3
                }
                if failure == 0 && rest > 0 {
                    let at = full * 4
                    let v0 = table[Int(text[at])], v1 = table[Int(text[at + 1])]
                    let v2: UInt8 = rest == 3 ? table[Int(text[at + 2])] : 0
                    if (v0 | v1 | v2) & 0x80 != 0 {
                        failure = Self.firstInvalid(text, from: at, table) + 1
                    } else {
                        output[out] = v0 << 2 | v1 >> 4
                        if rest == 3 { output[out + 1] = v1 << 4 | v2 >> 2 }
                        let trailing = rest == 3 ? v2 & 0x03 : v1 & 0x0F
                        if trailing != 0 { failure = -1 }
                    }
                }
                initialized = failure == 0 ? length : 0
            }
        }
        if failure > 0 {
            throw Failure(message: "character at offset \(failure - 1) is not in the base64url alphabet")
        }
        if failure < 0 {
            throw Failure(message: "base64url text has non-zero trailing bits")
        }
        return output
    }

    private static func firstInvalid(_ text: UnsafeRawBufferPointer, from start: Int, _ table: UnsafeBufferPointer<UInt8>) -> Int {
        var offset = start
        while table[Int(text[offset])] != 0xFF { offset += 1 }
        return offset
    }
}
