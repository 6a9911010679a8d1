public import AccordCore
public import AccordCrypto
import Foundation

/// Issues an Accord message as an SD-JWT: the routing claims in clear, every other claim
/// selectively disclosable (object members and array elements, recursively), `_sd_alg`
/// sha-256 and `cnf` naming the gateway's key. Holds a reusable signing context, so it is not
/// thread-safe: one per owner.
public final class SDJWTIssuer {
    /// Choices that do not change the format.
    public struct Options: Sendable, Equatable {
        /// Decoy digests added to each `_sd` array, hiding how many claims an object holds.
        public var decoysPerObject = 0
        /// Deepest nesting accepted in the input, the message object being 1.
        public var maxDepth = 16
        public var type = "accord+sd-jwt"

        public init() {}
    }

    public let options: Options
    private let signer: JWSSigner
    private let header: [UInt8]

    /// `kid` names the issuer's signing certificate; `x5c` (DER, leaf first) may carry the chain.
    public init(signingKey: PrivateKey, kid: String?, x5c: [[UInt8]]? = nil, options: Options = Options()) throws(MessageError) {
        guard kid != nil || x5c != nil else {
            throw MessageError(.missingKeyReference, "an issuer must name its key by 'kid' or 'x5c'")
        }
        self.options = options
        do { signer = try JWSSigner(key: signingKey) } catch {
            throw MessageError(.cryptoFailure, "cannot create a signing context for the issuer key (\(error.code.rawValue))")
        }
        var header: [String: JSONValue] = ["alg": .string(signingKey.algorithm.jwsName), "typ": .string(options.type)]
        if let kid { header["kid"] = .string(kid) }
        if let x5c { header["x5c"] = .array(x5c.map { .string(Self.standardBase64($0)) }) }
        self.header = try StrictJSON.encode(.object(header), part: "issuer JWT header")
    }

    /// Issues `message`, a plain JSON object holding the routing claims and the content.
    public func issue(_ message: [String: JSONValue], holderKey: PublicKey) throws(MessageError) -> String {
        for name in ["cnf", "_sd_alg", "_sd", "..."] where message[name] != nil {
            throw MessageError(.invalidInput, "the message must not carry '\(name)'; the issuer adds what SD-JWT needs")
        }
        let routing: RoutingClaims
        do { routing = try ClearClaims(payload: message).routing } catch {
            throw MessageError(.invalidInput, error.message)
        }
        var payload: [String: JSONValue] = [:]
        var content: [String: JSONValue] = [:]
        for (name, value) in message {
            if ClearClaims.names.contains(name) { payload[name] = value } else { content[name] = value }
        }
        payload["accord"] = routing.accordObject
        var disclosures: [Disclosure] = []
        let concealed = try conceal(object: content, path: ClaimPath(), depth: 1, into: &disclosures)
        payload.merge(concealed) { clear, _ in clear }
        payload["_sd_alg"] = "sha-256"
        let jwk = holderKey.jwk
        var jwkMembers: [String: JSONValue] = ["kty": .string(jwk.kty), "crv": .string(jwk.crv), "x": .string(jwk.x)]
        if let y = jwk.y { jwkMembers["y"] = .string(y) }
        payload["cnf"] = ["jwk": .object(jwkMembers)]

        let jwt: String
        let payloadBytes = try StrictJSON.encode(.object(payload), part: "issuer JWT payload")
        do { jwt = try CompactJWS.sign(header: header, payload: payloadBytes, signer: signer) } catch {
            throw MessageError(.cryptoFailure, "signing the issuer JWT failed (\(error.code.rawValue))")
        }
        return disclosures.reduce(into: jwt + "~") { text, disclosure in text += disclosure.encoded + "~" }
    }

    /// Issues a message given as JSON text, read with the strict parser.
    public func issue(json text: String, holderKey: PublicKey) throws(MessageError) -> String {
        guard case .object(let message) = try StrictJSON.parse(Array(text.utf8), part: "message", maxDepth: options.maxDepth) else {
            throw MessageError(.invalidInput, "the message is not a JSON object")
        }
        return try issue(message, holderKey: holderKey)
    }

    /// Replaces each member with a digest in `_sd` (sorted, so the order of claims does not show).
    private func conceal(object: [String: JSONValue], path: ClaimPath, depth: Int, into disclosures: inout [Disclosure]) throws(MessageError) -> [String: JSONValue] {
        guard depth <= options.maxDepth else {
            throw MessageError(.nestingTooDeep, "the message nests deeper than \(options.maxDepth) levels at '\(path)'")
        }
        var digests: [String] = []
        for (name, value) in object {
            guard name != "_sd", name != "..." else {
                throw MessageError(.reservedClaimName, "the message uses the reserved name '\(name)' at '\(path)'")
            }
            let memberPath = path.appending(member: name)
            let disclosure = try Disclosure.make(name: name, value: try conceal(value: value, path: memberPath, depth: depth, into: &disclosures))
            disclosures.append(disclosure)
            digests.append(disclosure.digest)
        }
        for _ in 0..<options.decoysPerObject { digests.append(try Disclosure.decoyDigest()) }
        guard !digests.isEmpty else { return [:] }
        return ["_sd": .array(digests.sorted().map { .string($0) })]
    }

    private func conceal(value: JSONValue, path: ClaimPath, depth: Int, into disclosures: inout [Disclosure]) throws(MessageError) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(try conceal(object: members, path: path, depth: depth + 1, into: &disclosures))
        case .array(let elements):
            guard depth + 1 <= options.maxDepth else {
                throw MessageError(.nestingTooDeep, "the message nests deeper than \(options.maxDepth) levels at '\(path)'")
            }
            var output: [JSONValue] = []
            for element in elements {
                let disclosure = try Disclosure.make(name: nil, value: try conceal(value: element, path: path.elementPath, depth: depth + 1, into: &disclosures))
                disclosures.append(disclosure)
                output.append(["...": .string(disclosure.digest)])
            }
            return .array(output)
        default:
            return value
        }
    }

    private static func standardBase64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
