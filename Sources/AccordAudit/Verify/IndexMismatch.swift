/// A stored leaf whose search columns (time, event, actor, message, agreement, parties,
/// subjects) disagree with what its signed leaf says: the log itself is intact, but a search
/// over those columns would miss the leaf or find it where it does not belong. Found by
/// verification, which derives the columns from every leaf again.
public struct IndexMismatch: Sendable, Equatable, CustomStringConvertible {
    public let index: UInt64
    /// The columns that disagree, by their database names (`agreement_id`, `audit_party`, …).
    public let columns: [String]

    /// How many a verification lists; beyond it, it only counts.
    public static let reported = 1_000

    public init(index: UInt64, columns: [String]) {
        self.index = index
        self.columns = columns
    }

    public var description: String {
        "leaf \(index): its search columns disagree with the signed leaf (\(columns.joined(separator: ", ")))"
    }
}
