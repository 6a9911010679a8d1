/// An agency's id as the registry names it (`nz.police`, `au.abf`): the `iss` of what it
/// signs, an entry of `accord.to`, the subject of its client certificate.
public struct AgencyID: Identifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
