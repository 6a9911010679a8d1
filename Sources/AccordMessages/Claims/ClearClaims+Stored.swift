import AccordCore

extension ClearClaims {
    /// The clear claims of an SD-JWT the gateway accepted earlier, read from the
    /// issuer-signed JWT's payload without checking its signature again: for showing a stored
    /// message, never for deciding about a new one.
    public init(storedSDJWT text: String) throws(MessageError) {
        let jwt = text.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw MessageError(.malformedSerialization, "issuer JWT: a compact JWS has 3 dot-separated parts, found \(parts.count)")
        }
        let payload: [UInt8]
        do { payload = try Base64URL.decode(parts[1]) } catch {
            throw MessageError(.invalidBase64URL, "issuer JWT payload: \(error.message)")
        }
        guard case .object(let claims) = try StrictJSON.parse(payload, part: "issuer JWT payload", maxDepth: 64) else {
            throw MessageError(.invalidJSON, "issuer JWT payload is not a JSON object")
        }
        try self.init(payload: claims)
    }
}
