/// The gateway's id for an accepted message (`m-` and 32 hex digits), derived from the issuer
/// and its `jti`; not the `jti` itself, which is unique only per issuer.
public struct MessageID: Identifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
