public import AccordCore

/// The agreement a decision was made under: its id and the digest of the agreement set
/// version that was active.
public struct AgreementReference: Sendable, Hashable {
    public let id: AgreementID
    public let versionDigest: String

    public init(id: AgreementID, versionDigest: String) {
        self.id = id
        self.versionDigest = versionDigest
    }
}
