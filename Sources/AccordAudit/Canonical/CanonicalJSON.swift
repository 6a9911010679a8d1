/// RFC 8785 canonical JSON for `JSONValue`: members sorted by their UTF-16 code units, no
/// whitespace, strings escaped as ECMAScript's JSON.stringify does, integers in decimal.
public enum CanonicalJSON {
    public static func encode(_ value: JSONValue) throws(AuditError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        try write(value, into: &output)
        return output
    }

    /// Parses `bytes` and refuses them unless they are already in canonical form, so that a
    /// leaf has one meaning and one hash.
    public static func decodeCanonical(_ bytes: [UInt8]) throws(AuditError) -> JSONValue {
        let value = try JSONParser.parse(bytes)
        guard try encode(value) == bytes else {
            throw AuditError(.nonCanonicalJSON, "JSON text is not in RFC 8785 canonical form")
        }
        return value
    }

    private static func write(_ value: JSONValue, into output: inout [UInt8]) throws(AuditError) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number):
            guard abs(number) <= JSONValue.maximumSafeInteger else {
                throw AuditError(.unsupportedJSONValue, "integer \(number) is outside ±(2^53 − 1)")
            }
            output.append(contentsOf: String(number).utf8)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (index, key) in keys.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                writeString(key, into: &output)
                output.append(UInt8(ascii: ":"))
                try write(members[key]!, into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            // Runs of bytes that need no escape are copied whole.
            var start = 0
            for position in 0 ..< bytes.count {
                let byte = bytes[position]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start ..< position]))
                writeEscape(byte, into: &output)
                start = position + 1
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscape(_ byte: UInt8, into output: inout [UInt8]) {
        switch byte {
        case 0x22: output.append(contentsOf: [0x5C, 0x22])
        case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
        case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        default:
            output.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
        }
    }
}
