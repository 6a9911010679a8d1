/// A strict parser for the JSON subset of `JSONValue` (RFC 8259 grammar, UTF-8). Fractions,
/// exponents, duplicate member names and lone surrogates are refused.
struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    private static let maximumDepth = 64

    static func parse(_ bytes: [UInt8]) throws(AuditError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("trailing characters") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func failure(_ reason: String) -> AuditError {
        AuditError(.invalidJSON, "\(reason) at byte \(position)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String) throws(AuditError) {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count, Array(bytes[position ..< position + expected.count]) == expected else {
            throw failure("expected '\(literal)'")
        }
        position += expected.count
    }

    private mutating func parseValue() throws(AuditError) -> JSONValue {
        guard position < bytes.count else { throw failure("unexpected end") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .integer(try parseInteger())
        }
    }

    private mutating func parseObject() throws(AuditError) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nesting too deep") }
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected member name") }
            let key = try parseString()
            guard members[key] == nil else { throw failure("duplicate member '\(key)'") }
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw failure("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            try expect("}")
            return .object(members)
        }
    }

    private mutating func parseArray() throws(AuditError) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nesting too deep") }
        defer { depth -= 1 }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw failure("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            try expect("]")
            return .array(elements)
        }
    }

    private mutating func parseInteger() throws(AuditError) -> Int64 {
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, (0x30 ... 0x39).contains(bytes[position]) { position += 1 }
        guard position > digitsStart else { throw failure("expected a value") }
        guard !(bytes[digitsStart] == 0x30 && position - digitsStart > 1) else { throw failure("leading zero") }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw AuditError(.unsupportedJSONValue, "only integers are allowed, at byte \(position)")
        }
        guard let value = Int64(String(decoding: bytes[start ..< position], as: UTF8.self)),
              abs(value) <= JSONValue.maximumSafeInteger else {
            throw AuditError(.unsupportedJSONValue, "integer outside ±(2^53 − 1) at byte \(start)")
        }
        return value
    }

    private mutating func parseString() throws(AuditError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        func flush() throws(AuditError) {
            guard !run.isEmpty else { return }
            guard let text = String(validating: run, as: UTF8.self) else { throw failure("invalid UTF-8") }
            scalars.append(contentsOf: text.unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while true {
            guard position < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                try flush()
                return String(scalars)
            case 0x00 ..< 0x20:
                throw failure("control character in string")
            case UInt8(ascii: "\\"):
                try flush()
                scalars.append(try parseEscape())
            default:
                run.append(byte)
            }
        }
    }

    private mutating func parseEscape() throws(AuditError) -> Unicode.Scalar {
        guard position < bytes.count else { throw failure("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let high = try parseHex4()
            if (0xD800 ..< 0xDC00).contains(high) {
                try expect("\\u")
                let low = try parseHex4()
                guard (0xDC00 ..< 0xE000).contains(low) else { throw failure("lone surrogate") }
                return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
            }
            guard let scalar = Unicode.Scalar(high) else { throw failure("lone surrogate") }
            return scalar
        default: throw failure("invalid escape")
        }
    }

    private mutating func parseHex4() throws(AuditError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            let byte = bytes[position]
            position += 1
            let nibble: UInt32
            switch byte {
            case 0x30 ... 0x39: nibble = UInt32(byte - 0x30)
            case 0x41 ... 0x46: nibble = UInt32(byte - 0x41 + 10)
            case 0x61 ... 0x66: nibble = UInt32(byte - 0x61 + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | nibble
        }
        return value
    }
}
