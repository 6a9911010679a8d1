extension AuditReading {
    public func leafHashes(in range: Range<UInt64>) async throws(StoreError) -> [UInt8] {
        var packed: [UInt8] = []
        packed.reserveCapacity(range.count * 32)
        var next = range.lowerBound
        while next < range.upperBound {
            let page = try await leaves(in: next ..< min(range.upperBound, next + 20_000))
            for leaf in page {
                guard leaf.index == next, leaf.leafHash.count == 32 else { break }
                packed.append(contentsOf: leaf.leafHash)
                next += 1
            }
            guard page.last?.index == next - 1 else { break }
        }
        guard next == range.upperBound else { throw StoreError.missingLeaf(next, in: range) }
        return packed
    }
}

extension StoreError {
    static func missingLeaf(_ index: UInt64, in range: Range<UInt64>) -> StoreError {
        StoreError(.corruptState, "leaf \(index) of \(range.lowerBound)..<\(range.upperBound) is missing or out of place; run `accord audit verify`")
    }
}
