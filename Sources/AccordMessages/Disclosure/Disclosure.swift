public import AccordCore
import AccordCrypto

/// One SD-JWT disclosure (RFC 9901 section 4.2.1): the base64url text of a JSON array
/// `[salt, name, value]` for an object property, or `[salt, value]` for an array element.
/// The encoded text is kept exactly as received, because the digest is taken over it.
public struct Disclosure: Sendable, Hashable {
    public let encoded: String
    /// base64url(SHA-256(ASCII(encoded))), as it appears in `_sd` or `{"...": digest}`.
    public let digest: String
    public let salt: String
    /// The claim name for an object-property disclosure; nil for an array element.
    public let name: String?
    public let value: JSONValue

    /// Decodes and checks a received disclosure, `encoded` being its UTF-8 as received; `index`
    /// names it in any error. `hasher` takes the digest; `scratch` serves the JSON parser.
    init(
        parsing encoded: UnsafeBufferPointer<UInt8>, index: Int, maxDepth: Int, hasher: SHA256.Hasher, scratch: inout JSONParser.Scratch
    ) throws(MessageError) {
        let text = UnsafeRawBufferPointer(encoded)
        let bytes: [UInt8]
        do { bytes = try Base64URL.decode(text) } catch {
            throw MessageError(.invalidBase64URL, "disclosure \(index): \(error.message)")
        }
        let json = try StrictJSON.parse(bytes, part: "disclosure \(index)", maxDepth: maxDepth, scratch: &scratch)
        guard case .array(let elements) = json, elements.count == 2 || elements.count == 3 else {
            throw MessageError(.malformedDisclosure, "disclosure \(index) is not a JSON array of 2 or 3 elements")
        }
        guard case .string(let salt) = elements[0] else {
            throw MessageError(.malformedDisclosure, "disclosure \(index): the salt is not a string")
        }
        if elements.count == 3 {
            guard case .string(let name) = elements[1] else {
                throw MessageError(.malformedDisclosure, "disclosure \(index): the claim name is not a string")
            }
            guard name != "_sd", name != "..." else {
                throw MessageError(.reservedClaimName, "disclosure \(index) discloses the reserved claim name '\(name)'")
            }
            self.name = name
        } else {
            self.name = nil
        }
        // INVARIANT: `encoded` decoded as base64url, so it is ASCII.
        self.encoded = String(decoding: encoded, as: UTF8.self)
        self.digest = Disclosure.digest(of: text, hasher: hasher)
        self.salt = salt
        self.value = elements[elements.count - 1]
    }

    /// Makes a new disclosure with a fresh 128-bit salt (RFC 9901 section 9.3).
    static func make(name: String?, value: JSONValue) throws(MessageError) -> Disclosure {
        let saltBytes: [UInt8]
        do { saltBytes = try SecureRandom.bytes(16) } catch {
            throw MessageError(.cryptoFailure, "cannot draw a salt: \(error.code.rawValue)")
        }
        let salt = Base64URL.encode(saltBytes)
        let array: JSONValue = if let name { .array([.string(salt), .string(name), value]) } else { .array([.string(salt), value]) }
        let encoded = Base64URL.encode(try StrictJSON.encode(array, part: "disclosure"))
        return Disclosure(encoded: encoded, salt: salt, name: name, value: value)
    }

    private init(encoded: String, salt: String, name: String?, value: JSONValue) {
        self.encoded = encoded
        self.digest = Disclosure.digest(of: encoded)
        self.salt = salt
        self.name = name
        self.value = value
    }

    static func digest(of encoded: String) -> String {
        Base64URL.encode(SHA256.hash(encoded))
    }

    /// The digest of the disclosure whose text is `encoded`, in one pass over those bytes.
    static func digest(of encoded: UnsafeRawBufferPointer, hasher: SHA256.Hasher) -> String {
        withUnsafeTemporaryAllocation(byteCount: SHA256.byteCount, alignment: 1) { digest in
            hasher.update(encoded)
            hasher.finalize(into: digest.baseAddress!)
            return Base64URL.encode(UnsafeRawBufferPointer(digest))
        }
    }

    /// A digest that matches no disclosure, to hide how many claims an object holds.
    static func decoyDigest() throws(MessageError) -> String {
        do { return Base64URL.encode(SHA256.hash(try SecureRandom.bytes(32))) } catch {
            throw MessageError(.cryptoFailure, "cannot draw a decoy: \(error.code.rawValue)")
        }
    }
}
