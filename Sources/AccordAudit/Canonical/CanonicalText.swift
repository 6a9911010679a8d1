import AccordCore

/// Audit leaves in RFC 8785 form: parsed with the strict parser limited to safe integers, and
/// refused unless re-encoding gives back the same bytes, so that a leaf has one meaning and one hash.
enum CanonicalText {
    static func decode(_ bytes: [UInt8]) throws(AuditError) -> JSONValue {
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, numbers: .safeIntegers) } catch {
            if case .unsupportedNumber = error.kind { throw AuditError(.unsupportedJSONValue, error.reason) }
            throw AuditError(.invalidJSON, error.reason)
        }
        guard try encode(value) == bytes else {
            throw AuditError(.nonCanonicalJSON, "JSON text is not in RFC 8785 canonical form")
        }
        return value
    }

    /// Leaves hold integers within ±(2^53 − 1) only (I-JSON), which the general writer does not
    /// require: it also writes a larger integer that a double holds exactly.
    static func encode(_ value: JSONValue) throws(AuditError) -> [UInt8] {
        try requireSafeIntegers(value)
        do { return try CanonicalJSON.encode(value) } catch {
            throw AuditError(.unsupportedJSONValue, error.reason)
        }
    }

    private static func requireSafeIntegers(_ value: JSONValue) throws(AuditError) {
        switch value {
        case .number(let text):
            guard let integer = Int64(text), integer.magnitude <= JSONValue.maximumSafeInteger.magnitude else {
                throw AuditError(.unsupportedJSONValue, "an audit leaf holds integers within ±(2^53 − 1) only")
            }
        case .array(let items):
            for item in items { try requireSafeIntegers(item) }
        case .object(let members):
            for member in members.values { try requireSafeIntegers(member) }
        case .null, .bool, .string:
            break
        }
    }
}
