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

    static func encode(_ value: JSONValue) throws(AuditError) -> [UInt8] {
        do { return try CanonicalJSON.encode(value) } catch {
            throw AuditError(.unsupportedJSONValue, error.reason)
        }
    }
}
