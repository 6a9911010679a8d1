extension AgreementSetStore {
    public func latestAgreementSetDigest() async throws(StoreError) -> String? {
        try await agreementSets().last?.digest
    }

    public func latestAgreementSet() async throws(StoreError) -> StoredAgreementSet? {
        try await agreementSets().last
    }
}
