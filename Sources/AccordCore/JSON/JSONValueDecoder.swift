/// Decodes any `Decodable` from JSON read by the one strict parser (`JSONParser`), so that a
/// client reads an answer the way the gateway wrote it with `JSONValueEncoder`: duplicate keys
/// and invalid text are refused, integers are exact, and a failure names the member at fault
/// by its path (`items[0].delivery_id`), never its value.
public struct JSONValueDecoder {
    /// Why a value could not be decoded: text that is not JSON, or a member missing or of the
    /// wrong kind, named by its path.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(Failure) -> T {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch { throw Failure(description: "not JSON: \(error.reason)") }
        return try decode(type, from: value)
    }

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(Failure) -> T {
        do { return try T(from: ValueDecoder(value: value, codingPath: [])) } catch let failure as Failure { throw failure } catch {
            throw Failure(description: "\(error)")
        }
    }

    /// `items[0].delivery_id`, or `the top level` for an empty path.
    static func describe(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "the top level" : "'\(text)'"
    }

    static func failure(_ path: [any CodingKey], _ problem: String) -> Failure {
        Failure(description: "\(describe(path)) \(problem)")
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { String(intValue!) }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw JSONValueDecoder.failure(codingPath, "must be an object") }
        return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else { throw JSONValueDecoder.failure(codingPath, "must be an array") }
        return UnkeyedContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }

    /// Strings, booleans and numbers directly; anything else through its own `init(from:)`.
    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue, at path: [any CodingKey]) throws -> T {
        func number<N>(_ parse: (String) -> N?, _ kind: String) throws -> N {
            guard case .number(let text) = value, let number = parse(text) else {
                throw JSONValueDecoder.failure(path, "must be \(kind)")
            }
            return number
        }
        switch type {
        case is String.Type:
            guard case .string(let text) = value else { throw JSONValueDecoder.failure(path, "must be a string") }
            return text as! T
        case is Bool.Type:
            guard case .bool(let flag) = value else { throw JSONValueDecoder.failure(path, "must be true or false") }
            return flag as! T
        case is Int.Type: return try number({ Int($0) }, "a whole number") as! T
        case is Int64.Type: return try number({ Int64($0) }, "a whole number") as! T
        case is Int32.Type: return try number({ Int32($0) }, "a whole number") as! T
        case is UInt64.Type: return try number({ UInt64($0) }, "a whole number, not negative") as! T
        case is UInt32.Type: return try number({ UInt32($0) }, "a whole number, not negative") as! T
        case is UInt.Type: return try number({ UInt($0) }, "a whole number, not negative") as! T
        case is Double.Type: return try number({ Double($0) }, "a number") as! T
        case is Float.Type: return try number({ Float($0) }, "a number") as! T
        default: return try T(from: ValueDecoder(value: value, codingPath: path))
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let codingPath: [any CodingKey]

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else { throw JSONValueDecoder.failure(codingPath + [key], "is missing") }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try member(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.decode(type, from: try member(key), at: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { ValueDecoder(value: .object(members), codingPath: codingPath) }

    func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: try member(key), codingPath: codingPath + [key]) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0

    init(elements: [JSONValue], codingPath: [any CodingKey]) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> (JSONValue, [any CodingKey]) {
        let path = codingPath + [IndexKey(currentIndex)]
        guard !isAtEnd else { throw JSONValueDecoder.failure(path, "is missing: the array is shorter") }
        defer { currentIndex += 1 }
        return (elements[currentIndex], path)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, elements[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try ValueDecoder.decode(type, from: value, at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try ValueDecoder(value: value, codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return ValueDecoder(value: value, codingPath: path)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ValueDecoder.decode(type, from: value, at: codingPath)
    }
}
