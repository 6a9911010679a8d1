extension AccordStorage {
    public func latestAgreementSetDigest() async throws(StoreError) -> String? {
        try await agreementSets().last?.digest
    }
}
