import AccordCore
import AccordCrypto

/// A compact JWS split into its parts, each decoded, with the header and payload parsed
/// strictly. The caller decides what the header must hold.
struct DecodedJWS {
    let header: [String: JSONValue]
    let payload: [String: JSONValue]
    let signingInput: [UInt8]
    let signature: [UInt8]

    /// Decodes `text`, the UTF-8 of a compact JWS; `name` says which JWS in errors.
    init(_ text: UnsafeBufferPointer<UInt8>, name: String, maxDepth: Int, scratch: inout JSONParser.Scratch) throws(MessageError) {
        let parts = ByteSplit.ranges(of: text, separatedBy: UInt8(ascii: "."))
        guard parts.count == 3 else {
            throw MessageError(.malformedSerialization, "\(name) has \(parts.count) dot-separated parts, not 3")
        }
        func decode(_ part: Range<Int>, _ label: String) throws(MessageError) -> [UInt8] {
            do { return try Base64URL.decode(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: text[part]))) } catch {
                throw MessageError(.invalidBase64URL, "\(name) \(label): \(error.message)")
            }
        }
        let headerBytes = try decode(parts[0], "header")
        let payloadBytes = try decode(parts[1], "payload")
        signature = try decode(parts[2], "signature")
        guard case .object(let header) = try StrictJSON.parse(headerBytes, part: "\(name) header", maxDepth: 4, scratch: &scratch) else {
            throw MessageError(.invalidJSON, "\(name) header is not a JSON object")
        }
        guard case .object(let payload) = try StrictJSON.parse(payloadBytes, part: "\(name) payload", maxDepth: maxDepth, scratch: &scratch) else {
            throw MessageError(.invalidJSON, "\(name) payload is not a JSON object")
        }
        self.header = header
        self.payload = payload
        signingInput = Array(text[0..<parts[1].upperBound])
    }

    /// The `alg` header as one of the accepted algorithms; `none` and everything else are refused.
    func algorithm(name: String) throws(MessageError) -> KeyAlgorithm {
        guard case .string(let alg)? = header["alg"] else {
            throw MessageError(.unsupportedAlgorithm, "\(name) header has no 'alg'")
        }
        guard let algorithm = KeyAlgorithm(rawValue: alg) else {
            throw MessageError(.unsupportedAlgorithm, "\(name) header 'alg' \(alg) is not accepted; use ES256 or EdDSA")
        }
        return algorithm
    }

    /// RFC 7515 section 4.1.11: an extension the recipient does not understand must fail.
    func refuseCritical(name: String) throws(MessageError) {
        if header["crit"] != nil {
            throw MessageError(.unsupportedCriticalHeader, "\(name) header lists 'crit' extensions, none of which Accord supports")
        }
    }

    func verifySignature(with verifier: JWSVerifier, name: String, code: MessageError.Code) throws(MessageError) {
        do {
            try verifier.verify(signature: signature, for: signingInput)
        } catch {
            throw MessageError(code, "\(name) signature does not verify (\(error.code.rawValue))")
        }
    }

    static func typeMatches(_ value: JSONValue?, _ expected: String) -> Bool {
        guard case .string(let typ)? = value else { return false }
        let lowered = typ.lowercased()
        return lowered == expected.lowercased() || lowered == "application/" + expected.lowercased()
    }
}
