/// Encodes any `Encodable` as a `JSONValue`, so that API responses go through the one RFC 8785
/// writer (`CanonicalJSON`) instead of a second encoder with its own key order, escaping and
/// number format. Integers are written exactly; floating-point numbers as ECMAScript writes them.
public struct JSONValueEncoder {
    /// A value `JSONValue` cannot hold: a non-finite number, or a container used twice.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init() {}

    public func encode(_ value: some Encodable) throws(Failure) -> JSONValue {
        let encoder = ValueEncoder(codingPath: [])
        do { try value.encode(to: encoder) } catch let failure as Failure { throw failure } catch {
            throw Failure(description: "\(error)")
        }
        return encoder.slot.resolved() ?? .object([:])
    }

    /// The canonical text of `value`: what a response body holds.
    public func canonicalBytes(_ value: some Encodable) throws(Failure) -> [UInt8] {
        do { return try CanonicalJSON.encode(try encode(value)) } catch let failure as Failure { throw failure } catch {
            throw Failure(description: "\(error)")
        }
    }
}

/// Where a container's result lands: a box, because containers are values handed out by
/// reference semantics in `Encoder`'s API.
private final class Slot {
    var value: JSONValue?
    var members: [String: Slot] = [:]
    var elements: [Slot] = []
    enum Kind { case unset, object, array, single }
    var kind = Kind.unset

    func resolved() -> JSONValue? {
        switch kind {
        case .unset: return value
        case .single: return value
        case .object: return .object(members.compactMapValues { $0.resolved() })
        case .array: return .array(elements.compactMap { $0.resolved() })
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

private final class ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let slot: Slot

    init(codingPath: [any CodingKey], slot: Slot = Slot()) {
        self.codingPath = codingPath
        self.slot = slot
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.kind = .object
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.kind = .array
        return UnkeyedContainer(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        slot.kind = .single
        return SingleContainer(encoder: self)
    }

    static func scalar(_ value: some Encodable, at path: [any CodingKey]) throws -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(String(number))
        case let number as Int64: return .number(String(number))
        case let number as Int32: return .number(String(number))
        case let number as UInt64: return .number(String(number))
        case let number as UInt32: return .number(String(number))
        case let number as UInt: return .number(String(number))
        case let number as Double: return try double(number, at: path)
        case let number as Float: return try double(Double(number), at: path)
        default:
            let nested = ValueEncoder(codingPath: path)
            try value.encode(to: nested)
            return nested.slot.resolved() ?? .null
        }
    }

    static func double(_ number: Double, at path: [any CodingKey]) throws -> JSONValue {
        guard number.isFinite else {
            throw JSONValueEncoder.Failure(description: "\(path.map(\.stringValue).joined(separator: ".")): \(number) is not a JSON number")
        }
        return .number(ECMAScriptNumber.format(number))
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func child(_ key: Key) -> Slot {
        let slot = Slot()
        encoder.slot.members[key.stringValue] = slot
        return slot
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).value = .null }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        child(key).value = try ValueEncoder.scalar(value, at: codingPath + [key])
    }
    // Optionals left out, as JSONEncoder does.
    mutating func encodeIfPresent(_ value: (some Encodable)?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ValueEncoder(codingPath: codingPath + [key], slot: child(key))
        return nested.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ValueEncoder(codingPath: codingPath + [key], slot: child(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath, slot: child(Key(stringValue: "super")!)) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { ValueEncoder(codingPath: codingPath + [key], slot: child(key)) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { encoder.slot.elements.count }

    private func next() -> Slot {
        let slot = Slot()
        encoder.slot.elements.append(slot)
        return slot
    }

    mutating func encodeNil() throws { next().value = .null }
    mutating func encode(_ value: some Encodable) throws {
        let path = codingPath + [AnyKey(intValue: count)]
        next().value = try ValueEncoder.scalar(value, at: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        ValueEncoder(codingPath: codingPath + [AnyKey(intValue: count)], slot: next()).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ValueEncoder(codingPath: codingPath + [AnyKey(intValue: count)], slot: next()).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { ValueEncoder(codingPath: codingPath, slot: next()) }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.slot.value = .null }
    mutating func encode(_ value: some Encodable) throws {
        encoder.slot.value = try ValueEncoder.scalar(value, at: codingPath)
    }
}
