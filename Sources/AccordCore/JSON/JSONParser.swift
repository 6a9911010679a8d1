/// The one strict RFC 8259 parser. Unlike Foundation's `JSONSerialization` it refuses duplicate
/// object keys (an attacker could otherwise show one value to a checker and another to a
/// consumer), invalid UTF-8, lone surrogates, and nesting beyond a limit, and it keeps
/// numbers as their literal text; with `Numbers.safeIntegers` it also refuses fractions,
/// exponents and integers beyond ±(2^53 − 1), as audit leaves require.
public struct JSONParser {
    /// Which numbers a text may hold.
    public enum Numbers: Sendable {
        /// Any number the RFC 8259 grammar allows, kept as its literal text.
        case any
        /// Only integers within ±(2^53 − 1), without fraction or exponent.
        case safeIntegers
    }

    /// Why a text is not accepted, with the byte offset where parsing stopped.
    public struct Failure: Error, Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case syntax(String)
            /// The path of the object holding the repeated key, e.g. `$.subject`.
            case duplicateKey(path: String)
            case tooDeep(limit: Int)
            /// A number that the grammar allows but `Numbers.safeIntegers` does not.
            case unsupportedNumber(String)
        }

        public let kind: Kind
        public let offset: Int

        /// What was wrong and at which byte, for error messages; never holds the text itself.
        public var reason: String {
            switch kind {
            case .syntax(let reason): "\(reason) at byte \(offset)"
            case .duplicateKey(let path): "an object at \(path) repeats a key (byte \(offset))"
            case .tooDeep(let limit): "JSON nests deeper than \(limit) levels"
            case .unsupportedNumber(let reason): "\(reason), at byte \(offset)"
            }
        }

        /// The failure seen from the value that encloses the one that failed, as its member
        /// `key` or its element `index`: a repeated key's path gains that step.
        fileprivate func inside(key: String? = nil, index: Int = 0) -> Failure {
            guard case .duplicateKey(let path) = kind else { return self }
            let step = key.map { "." + $0 } ?? "[\(index)]"
            return Failure(kind: .duplicateKey(path: step + path), offset: offset)
        }
    }

    /// Objects with more members than this check for a repeated key by hashing, not by scanning.
    private static var scanLimit: Int { 16 }

    /// Members and elements of the objects and arrays being parsed, innermost last: each
    /// container takes its own from the top when it closes, so that it is built at its size.
    /// Empty between parses; one kept across many parses saves growing it each time.
    public struct Scratch {
        public init() {}
        fileprivate var members: [(key: String, value: JSONValue)] = []
        fileprivate var elements: [JSONValue] = []
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private let numbers: Numbers
    private var position = 0
    private var scratch = Scratch()
    private var members: [(key: String, value: JSONValue)] {
        _read { yield scratch.members }
        _modify { yield &scratch.members }
    }
    private var elements: [JSONValue] {
        _read { yield scratch.elements }
        _modify { yield &scratch.elements }
    }

    /// Parses one JSON text. `maxDepth` counts nested arrays and objects, the outermost being 1.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64, numbers: Numbers = .any) throws(Failure) -> JSONValue {
        var scratch = Scratch()
        return try parse(bytes, maxDepth: maxDepth, numbers: numbers, scratch: &scratch)
    }

    /// Parses with `scratch` kept by the caller across many parses, which saves growing it each time.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int, numbers: Numbers = .any, scratch: inout Scratch
    ) throws(Failure) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) in
            try parse(buffer, maxDepth: maxDepth, numbers: numbers, scratch: &scratch)
        }
    }

    public static func parse(_ text: String, maxDepth: Int = 64, numbers: Numbers = .any) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth, numbers: numbers)
    }

    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, numbers: Numbers = .any, scratch: inout Scratch
    ) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth, numbers: numbers)
        swap(&parser.scratch, &scratch)
        defer { swap(&parser.scratch, &scratch) }
        parser.skipWhitespace()
        let value: JSONValue
        do { value = try parser.parseValue(depth: 0) } catch {
            guard case .duplicateKey(let path) = error.kind else { throw error }
            throw Failure(kind: .duplicateKey(path: "$" + path), offset: error.offset)
        }
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.syntax("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, numbers: Numbers) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.numbers = numbers
    }

    private func syntax(_ reason: String) -> Failure {
        Failure(kind: .syntax(reason), offset: position)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(Failure) {
        let text = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in text {
            guard current == byte else { throw syntax("invalid literal") }
            position += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
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

    private mutating func parseObject(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw Failure(kind: .tooDeep(limit: maxDepth), offset: position) }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object([:])
        }
        let base = members.count
        defer { members.removeLast(members.count - base) }
        // Holds the members once there are more than `scanLimit`.
        var hashed: [String: JSONValue]? = nil
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw syntax("expected a string key") }
            let keyOffset = position
            let key = try parseString()
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw syntax("expected ':'") }
            position += 1
            skipWhitespace()
            let value: JSONValue
            do { value = try parseValue(depth: depth) } catch { throw error.inside(key: key) }
            // INVARIANT: Swift compares keys by canonical equivalence, so two keys that differ
            // only in Unicode normalization count as duplicates here: refusing is the safe side.
            if hashed != nil {
                guard hashed!.updateValue(value, forKey: key) == nil else {
                    throw Failure(kind: .duplicateKey(path: ""), offset: keyOffset)
                }
            } else {
                for index in base..<members.count where members[index].key == key {
                    throw Failure(kind: .duplicateKey(path: ""), offset: keyOffset)
                }
                members.append((key, value))
                if members.count - base > Self.scanLimit { hashed = Self.dictionary(members[base...]) }
            }
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(hashed ?? Self.dictionary(members[base...]))
            default: throw syntax("expected ',' or '}'")
            }
        }
    }

    /// Members already known to have distinct keys.
    private static func dictionary(_ members: ArraySlice<(key: String, value: JSONValue)>) -> [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: members.count)
        for member in members { object[member.key] = member.value }
        return object
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> JSONValue {
        guard depth <= maxDepth else { throw Failure(kind: .tooDeep(limit: maxDepth), offset: position) }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array([])
        }
        let base = elements.count
        defer { elements.removeLast(elements.count - base) }
        while true {
            skipWhitespace()
            let element: JSONValue
            do { element = try parseValue(depth: depth) } catch { throw error.inside(index: elements.count - base) }
            elements.append(element)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(Array(elements[base...]))
            default: throw syntax("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(Failure) -> String {
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
        let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if numbers == .safeIntegers {
            guard let integer = Int64(literal) else {
                let reason = literal.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
                    ? "only integers are allowed" : "integer outside ±(2^53 − 1)"
                throw Failure(kind: .unsupportedNumber(reason), offset: start)
            }
            guard integer.magnitude <= JSONValue.maximumSafeInteger.magnitude else {
                throw Failure(kind: .unsupportedNumber("integer outside ±(2^53 − 1)"), offset: start)
            }
        }
        return literal
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string of printable ASCII without escapes, the usual case, is taken as it stands;
    /// anything else goes through `parseGeneralString`, from its opening quote.
    private mutating func parseString() throws(Failure) -> String {
        var end = position + 1
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[(position + 1)..<end]), as: UTF8.self)
                position = end + 1
                return text
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { break }
            end += 1
        }
        return try parseGeneralString()
    }

    private mutating func parseGeneralString() throws(Failure) -> String {
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

    private mutating func parseEscape(into output: inout [UInt8]) throws(Failure) {
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
            UTF8.encode(unicode) { output.append($0) }
        default:
            throw syntax("invalid escape")
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt16 {
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
