import AccordCore

/// An audit record encoded as its leaf text except for the leaf index, which only the log's
/// single writer knows. Made where the record is made, so that the writer's serial work per
/// leaf is the splice of a few digits and one hash (docs/performance.md).
public struct UnindexedLeaf: Sendable {
    public let record: AuditRecord
    private let head: [UInt8]
    private let tail: [UInt8]

    public init(_ record: AuditRecord) {
        self.record = record
        (head, tail) = LeafEncoder.parts(record)
    }

    /// The leaf text at `index`; refused only for an index JSON cannot carry exactly.
    public func bytes(index: UInt64) throws(AuditError) -> [UInt8] {
        guard index <= UInt64(JSONValue.maximumSafeInteger) else {
            throw AuditError(.unsupportedJSONValue, "integer \(index) is outside ±(2^53 − 1)")
        }
        var output: [UInt8] = []
        output.reserveCapacity(head.count + 20 + tail.count)
        output.append(contentsOf: head)
        output.append(contentsOf: String(index).utf8)
        output.append(contentsOf: tail)
        return output
    }
}
