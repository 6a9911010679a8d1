import AccordCore

/// Maps the JSON parser's and canonical writer's failures onto `MessageError`, naming the part
/// of the SD-JWT (header, payload, disclosure index) that held the bad text.
enum StrictJSON {
    /// `part` is rendered only when the text is refused.
    static func parse(_ bytes: [UInt8], part: @autoclosure () -> String, maxDepth: Int) throws(MessageError) -> JSONValue {
        var scratch = JSONParser.Scratch()
        return try parse(bytes, part: part(), maxDepth: maxDepth, scratch: &scratch)
    }

    static func parse(
        _ bytes: [UInt8], part: @autoclosure () -> String, maxDepth: Int, scratch: inout JSONParser.Scratch
    ) throws(MessageError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, maxDepth: maxDepth, scratch: &scratch)
        } catch {
            switch error.kind {
            case .duplicateKey(let path):
                throw MessageError(.duplicateJSONKey, "\(part()): an object at \(path) repeats a key (byte \(error.offset))")
            case .tooDeep(let limit):
                throw MessageError(.nestingTooDeep, "\(part()): JSON nests deeper than \(limit) levels")
            case .syntax, .unsupportedNumber:
                throw MessageError(.invalidJSON, "\(part()): \(error.reason)")
            }
        }
    }

    /// The RFC 8785 text of a value the gateway or an issuer is about to sign.
    static func encode(_ value: JSONValue, part: @autoclosure () -> String) throws(MessageError) -> [UInt8] {
        do { return try CanonicalJSON.encode(value) } catch {
            throw MessageError(.invalidInput, "\(part()): \(error.reason)")
        }
    }
}
