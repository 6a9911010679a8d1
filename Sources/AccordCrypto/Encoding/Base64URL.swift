/// Base64url without padding (RFC 4648 section 5), as JOSE and SD-JWT use it. Decoding is
/// strict: padding, characters outside the alphabet, an impossible length and non-zero
/// trailing bits are all rejected, so that one value has exactly one encoding.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let b0 = iterator.next() {
            let b1 = iterator.next()
            let b2 = iterator.next()
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int(((b0 & 0x03) << 4) | ((b1 ?? 0) >> 4))])
            if let b1 {
                output.append(alphabet[Int(((b1 & 0x0F) << 2) | ((b2 ?? 0) >> 6))])
            }
            if let b2 {
                output.append(alphabet[Int(b2 & 0x3F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    public static func encode(_ string: String) -> String {
        encode(Array(string.utf8))
    }

    /// Decodes `text`, or throws `CryptoError.invalidBase64URL` naming the first offending offset.
    public static func decode(_ text: some StringProtocol) throws(CryptoError) -> [UInt8] {
        let input = Array(text.utf8)
        if input.count % 4 == 1 {
            throw CryptoError(.invalidBase64URL, "base64url text of length \(input.count) cannot be decoded")
        }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for (offset, character) in input.enumerated() {
            let value = decodeTable[Int(character)]
            if value == 0xFF {
                throw CryptoError(.invalidBase64URL, "character at offset \(offset) is not in the base64url alphabet")
            }
            accumulator = (accumulator << 6) | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
            }
        }
        if bits > 0 && (accumulator & ((1 << UInt32(bits)) - 1)) != 0 {
            throw CryptoError(.invalidBase64URL, "base64url text has non-zero trailing bits")
        }
        return output
    }
}
