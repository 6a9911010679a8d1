import AccordCore
public import Foundation
import AccordCrypto

/// Parses and verifies an SD-JWT (RFC 9901 section 7.1) carrying an Accord message, and,
/// when asked, its key-binding JWT (section 7.3). Thread-safe: share one per process, so
/// that its pool of OpenSSL verification contexts is reused.
public struct SDJWTVerifier: Sendable {
    public let resolver: any IssuerKeyResolver
    public let configuration: VerifierConfiguration
    private let pool = VerifierPool()

    public init(resolver: any IssuerKeyResolver, configuration: VerifierConfiguration = .default) {
        self.resolver = resolver
        self.configuration = configuration
    }

    /// Verifies `text`. With `keyBinding` nil a key-binding JWT is refused (a sender never
    /// binds: the gateway is the holder); with an expectation one is required and checked.
    public func verify(_ text: String, now: Date, keyBinding: KeyBindingExpectation? = nil) throws(MessageError) -> VerifiedMessage {
        let size = text.utf8.count
        guard size <= configuration.maxBytes else {
            throw MessageError(.tooLarge, "the SD-JWT is \(size) bytes, over the limit of \(configuration.maxBytes)")
        }
        var text = text
        return try text.withUTF8 { utf8 in
            Result { () throws(MessageError) in try verify(utf8: utf8, now: now, keyBinding: keyBinding) }
        }.get()
    }

    /// `verify(_:now:keyBinding:)` over the serialization's UTF-8, once its size is checked.
    private func verify(utf8 text: UnsafeBufferPointer<UInt8>, now: Date, keyBinding: KeyBindingExpectation?) throws(MessageError) -> VerifiedMessage {
        let parts = ByteSplit.ranges(of: text, separatedBy: UInt8(ascii: "~"))
        guard parts.count >= 2 else {
            throw MessageError(.malformedSerialization, "an SD-JWT is '<issuer-jwt>~<disclosures>~[<kb-jwt>]'; no '~' found")
        }
        let disclosureParts = parts[1..<(parts.count - 1)]
        guard disclosureParts.count <= configuration.maxDisclosures else {
            throw MessageError(.tooManyDisclosures, "the SD-JWT has \(disclosureParts.count) disclosures, over the limit of \(configuration.maxDisclosures)")
        }
        let issuerPart = UnsafeBufferPointer(rebasing: text[parts[0]])
        var scratch = JSONParser.Scratch()
        let jws = try DecodedJWS(issuerPart, name: "issuer JWT", maxDepth: configuration.maxDepth, scratch: &scratch)
        let algorithm = try jws.algorithm(name: "issuer JWT")
        try jws.refuseCritical(name: "issuer JWT")
        // Every header member reaches each recipient, so none may carry what no agreement governs.
        // The name is not repeated: a sender could make the name itself the data.
        if jws.header.keys.contains(where: { !Self.headerParameters.contains($0) }) {
            throw MessageError(.unsupportedHeaderParameter, "issuer JWT header has a parameter other than 'alg', 'typ', 'kid' and 'x5c'")
        }
        guard DecodedJWS.typeMatches(jws.header["typ"], configuration.expectedType) else {
            throw MessageError(.wrongType, "issuer JWT header 'typ' is not '\(configuration.expectedType)'")
        }
        let key = try resolveKey(jws)
        guard key.algorithm == algorithm else {
            throw MessageError(.unsupportedAlgorithm, "issuer JWT 'alg' \(algorithm.jwsName) does not match the issuer's \(key.algorithm.jwsName) key")
        }
        try pool.withEntry(for: .spki(key.spkiDER), make: { key }) { entry throws(MessageError) in
            try jws.verifySignature(with: entry.verifier, name: "issuer JWT", code: .signatureInvalid)
        }

        if let sdAlg = jws.payload["_sd_alg"], sdAlg != .string("sha-256") {
            throw MessageError(.unsupportedDigestAlgorithm, "'_sd_alg' must be sha-256")
        }
        var disclosures: [Disclosure] = []
        disclosures.reserveCapacity(disclosureParts.count)
        if !disclosureParts.isEmpty {
            let hasher = SHA256.Hasher()
            for (offset, part) in disclosureParts.enumerated() {
                guard !part.isEmpty else {
                    throw MessageError(.malformedSerialization, "disclosure \(offset) is empty ('~~')")
                }
                disclosures.append(try Disclosure(
                    parsing: UnsafeBufferPointer(rebasing: text[part]), index: offset, maxDepth: configuration.maxDepth, hasher: hasher,
                    scratch: &scratch))
            }
        }
        let clear = try ClearClaims(payload: jws.payload)
        var processor = try DisclosureProcessor(disclosures: disclosures, maxDepth: configuration.maxDepth)
        let routingNames = ClearClaims.names.intersection(jws.payload.keys)
        let claims = try processor.process(payload: jws.payload, routing: routingNames)

        try checkValidity(clear, payload: jws.payload, now: now)
        let holderKey = try Self.holderKey(jws.payload)

        let issuerJWT = String(decoding: issuerPart, as: UTF8.self)
        let kbPart = parts[parts.count - 1]
        var keyBindingClaims: KeyBindingClaims? = nil
        switch (keyBinding, kbPart.isEmpty) {
        case (nil, true): break
        case (nil, false):
            throw MessageError(.keyBindingUnexpected, "the SD-JWT carries a key-binding JWT where none is expected")
        case (.some, true):
            throw MessageError(.keyBindingMissing, "a key-binding JWT is required but the SD-JWT ends with '~'")
        case (.some(let expectation), false):
            guard let holderKey else {
                throw MessageError(.holderKeyMissing, "the issuer JWT has no 'cnf.jwk' to check the key-binding JWT against")
            }
            let presented = Array(text[..<kbPart.lowerBound])
            keyBindingClaims = try pool.withEntry(for: .jwk(holderKey), make: { () throws(MessageError) in try Self.publicKey(holderKey) }) {
                entry throws(MessageError) in
                try KeyBindingVerifier.verify(
                    UnsafeBufferPointer(rebasing: text[kbPart]), presentedSDJWT: presented, holder: entry, expectation: expectation,
                    now: now, clockSkew: configuration.clockSkew)
            }
        }

        let records = processor.records.compactMap { $0 }
        return VerifiedMessage(
            clear: clear, header: jws.header, claims: claims, paths: Self.sorted(processor.presentPaths),
            clearPaths: Self.sorted(processor.clearPaths), clearClaims: Array(processor.clearClaims), holderKey: holderKey, keyBinding: keyBindingClaims,
            issuerJWT: issuerJWT, records: records)
    }

    private func resolveKey(_ jws: DecodedJWS) throws(MessageError) -> PublicKey {
        guard case .string(let issuer)? = jws.payload["iss"] else {
            throw MessageError(.invalidRoutingClaims, "claim 'iss' must be a string in clear")
        }
        var kid: String? = nil
        if let value = jws.header["kid"] {
            guard case .string(let text) = value else { throw MessageError(.missingKeyReference, "issuer JWT header 'kid' is not a string") }
            kid = text
        }
        var chain: [[UInt8]]? = nil
        if let value = jws.header["x5c"] {
            guard case .array(let elements) = value, !elements.isEmpty else {
                throw MessageError(.missingKeyReference, "issuer JWT header 'x5c' is not a non-empty array")
            }
            var certificates: [[UInt8]] = []
            for (index, element) in elements.enumerated() {
                // RFC 7515 section 4.1.6: x5c holds standard base64, not base64url.
                guard case .string(let text) = element, let der = Data(base64Encoded: text) else {
                    throw MessageError(.missingKeyReference, "issuer JWT header 'x5c' certificate \(index) is not base64 DER")
                }
                certificates.append(Array(der))
            }
            chain = certificates
        }
        guard kid != nil || chain != nil else {
            throw MessageError(.missingKeyReference, "issuer JWT header names its key by neither 'kid' nor 'x5c'")
        }
        do {
            return try resolver.key(issuer: issuer, kid: kid, x5c: chain)
        } catch {
            throw MessageError(.issuerKeyUnresolved, "no trusted signing key for issuer '\(issuer)': \(error)")
        }
    }

    private func checkValidity(_ clear: ClearClaims, payload: [String: JSONValue], now: Date) throws(MessageError) {
        let skew = configuration.clockSkew
        guard now < clear.expiresAt.addingTimeInterval(skew) else {
            throw MessageError(.expired, "the message expired ('exp') beyond the allowed clock skew of \(Int(skew)) s")
        }
        guard clear.issuedAt <= now.addingTimeInterval(skew) else {
            throw MessageError(.issuedInFuture, "the message's 'iat' is in the future beyond the allowed clock skew of \(Int(skew)) s")
        }
        if let nbf = payload["nbf"] {
            guard let seconds = nbf.doubleValue else { throw MessageError(.malformedPayload, "claim 'nbf' is not a NumericDate") }
            guard Date(timeIntervalSince1970: seconds) <= now.addingTimeInterval(skew) else {
                throw MessageError(.notYetValid, "the message is not valid before its 'nbf'")
            }
        }
    }

    /// Sorts by text form, rendering each path once rather than on every comparison.
    private static func sorted(_ paths: Set<ClaimPath>) -> [ClaimPath] {
        paths.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    static func publicKey(_ jwk: JWK) throws(MessageError) -> PublicKey {
        do { return try PublicKey(jwk: jwk) } catch {
            throw MessageError(.holderKeyMissing, "'cnf.jwk' is not a usable key (\(error.code.rawValue))")
        }
    }

    /// The issuer JWT header parameters Accord uses (`crit` is refused on its own).
    static let headerParameters: Set<String> = ["alg", "typ", "kid", "x5c"]

    /// The members of `cnf.jwk` for the EC and OKP keys Accord binds with.
    static let holderKeyMembers: Set<String> = ["kty", "crv", "x", "y"]

    /// The `cnf.jwk` members, checked for shape only: turning them into an OpenSSL key costs
    /// more than the rest of verification, and is needed only to check a KB-JWT. `cnf` is
    /// forwarded in clear, so it holds the key and nothing else.
    static func holderKey(_ payload: [String: JSONValue]) throws(MessageError) -> JWK? {
        guard let cnf = payload["cnf"] else { return nil }
        guard case .object(let cnfMembers) = cnf, case .object(let jwkMembers)? = cnfMembers["jwk"] else {
            throw MessageError(.holderKeyMissing, "claim 'cnf' does not hold a 'jwk'")
        }
        guard cnfMembers.count == 1, jwkMembers.keys.allSatisfy(holderKeyMembers.contains) else {
            throw MessageError(.unsupportedCnfMember, "claim 'cnf' holds a member other than 'jwk', or 'cnf.jwk' one other than 'kty', 'crv', 'x' and 'y'")
        }
        guard case .string(let kty)? = jwkMembers["kty"], case .string(let crv)? = jwkMembers["crv"],
            case .string(let x)? = jwkMembers["x"]
        else {
            throw MessageError(.holderKeyMissing, "'cnf.jwk' lacks 'kty', 'crv' or 'x'")
        }
        return JWK(kty: kty, crv: crv, x: x, y: jwkMembers["y"]?.stringValue)
    }
}
