import AccordCore

/// `JSONParser` as it was before it parsed over a buffer without a path stack: kept as the
/// reference that `JSONParserDifferentialTests` compares the parser with.
struct ReferenceJSONParser {
    struct Failure: Error, Equatable {
        let kind: JSONParser.Failure.Kind
        let offset: Int
    }

    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0
    var pathStack: [PathComponent] = []

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    var renderedPath: String {
        pathStack.reduce(into: "$") { text, component in
            switch component {
            case .key(let key): text += "." + key
            case .index(let index): text += "[\(index)]"
            }
        }
    }

    /// Parses one JSON text. `maxDepth` counts nested arrays and objects, the outermost being 1.
    static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(Failure) -> JSONValue {
        var parser = ReferenceJSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.syntax("unexpected text after the JSON value") }
        return value
    }

    static func parse(_ text: String, maxDepth: Int = 64) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func syntax(_ reason: String) -> Failure {
        Failure(kind: .syntax(reason), offset: position)
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    mutating func expect(_ literal: String) throws(Failure) {
        for byte in literal.utf8 {
            guard current == byte else { throw syntax("invalid literal") }
            position += 1
        }
    }

    mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        guard let byte = current else { throw syntax("unexpected end of text") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw syntax("unexpected character")
        }
    }

    mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw Failure(kind: .tooDeep(limit: maxDepth), offset: position) }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw syntax("expected a string key") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw syntax("expected ':'") }
            position += 1
            skipWhitespace()
            pathStack.append(.key(key))
            let value = try parseValue(depth: depth)
            pathStack.removeLast()
            // INVARIANT: Swift compares keys by canonical equivalence, so two keys that differ
            // only in Unicode normalization count as duplicates here: refusing is the safe side.
            guard members.updateValue(value, forKey: key) == nil else {
                throw Failure(kind: .duplicateKey(path: renderedPath), offset: keyOffset)
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return .object(members)
            default: throw syntax("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw Failure(kind: .tooDeep(limit: maxDepth), offset: position) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            pathStack.append(.index(elements.count))
            elements.append(try parseValue(depth: depth))
            pathStack.removeLast()
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"): position += 1; return .array(elements)
            default: throw syntax("expected ',' or ']'")
            }
        }
    }

    mutating func parseNumber() throws(Failure) -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        guard let first = current, isDigit(first) else { throw syntax("invalid number") }
        position += 1
        if first != UInt8(ascii: "0") {
            while let byte = current, isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard let byte = current, isDigit(byte) else { throw syntax("invalid number fraction") }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard let byte = current, isDigit(byte) else { throw syntax("invalid number exponent") }
            while let byte = current, isDigit(byte) { position += 1 }
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(Failure) -> String {
        let start = position
        position += 1
        var output = [UInt8]()
        while true {
            guard let byte = current else { throw syntax("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: output, as: UTF8.self) else {
                    throw Failure(kind: .syntax("string is not valid UTF-8"), offset: start)
                }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &output)
            case 0x00..<0x20:
                throw syntax("control character in string")
            default:
                output.append(byte)
                position += 1
            }
        }
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(Failure) {
        guard let byte = current else { throw syntax("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): output.append(byte)
        case UInt8(ascii: "b"): output.append(0x08)
        case UInt8(ascii: "f"): output.append(0x0C)
        case UInt8(ascii: "n"): output.append(0x0A)
        case UInt8(ascii: "r"): output.append(0x0D)
        case UInt8(ascii: "t"): output.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try parseHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == UInt8(ascii: "\\") else { throw syntax("lone high surrogate") }
                position += 1
                guard current == UInt8(ascii: "u") else { throw syntax("lone high surrogate") }
                position += 1
                let low = UInt32(try parseHex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw syntax("invalid low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw syntax("lone low surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw syntax("invalid unicode escape") }
            output += Array(String(Character(unicode)).utf8)
        default:
            throw syntax("invalid escape")
        }
    }

    mutating func parseHex4() throws(Failure) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw syntax("truncated unicode escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax("invalid hex digit in unicode escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}
