/// What activating agreements, and starting with the set in force, need.
public protocol AgreementSetStore: Sendable {
    func activateAgreementSet(_ activation: AgreementSetActivation) async throws(StoreError) -> (version: Int64, leaves: [UInt64])
    func agreementSets() async throws(StoreError) -> [StoredAgreementSet]
    /// The digest of the agreement set activated last, without reading any set's content. A
    /// default reads through `agreementSets()`.
    func latestAgreementSetDigest() async throws(StoreError) -> String?
    /// The set activated last, with its content: the set in force. A default reads through
    /// `agreementSets()`.
    func latestAgreementSet() async throws(StoreError) -> StoredAgreementSet?
}
