public import AccordCore

/// The proof of one property over a compiled set: it holds, or every way the set breaks it.
public struct PropertyResult: Sendable, Hashable {
    public let property: AgreementProperty
    /// Empty when the property holds.
    public let counterexamples: [Counterexample]

    public var holds: Bool { counterexamples.isEmpty }
}

/// One delivery the set can make that a property forbids: under which agreement and flow,
/// for which sender, recipient, type and purpose, up to which classification, and (for a
/// property about claims) which claim path it discloses.
public struct Counterexample: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let agreement: AgreementID
    public let flowNumber: Int
    /// Where the flow is written.
    public let flowLocation: SourceLocation
    public let key: FlowKey
    /// The highest classification the flow carries; anything from the property's floor to this
    /// is delivered.
    public let ceiling: Classification
    public let path: String?

    public static func < (lhs: Counterexample, rhs: Counterexample) -> Bool {
        let left = (lhs.agreement, lhs.flowNumber, lhs.key.from, lhs.key.to, lhs.key.type)
        let right = (rhs.agreement, rhs.flowNumber, rhs.key.from, rhs.key.to, rhs.key.type)
        if left != right { return left < right }
        return (lhs.key.purpose, lhs.path ?? "") < (rhs.key.purpose, rhs.path ?? "")
    }

    public var description: String {
        "agreement '\(agreement)' flow \(flowNumber) (\(flowLocation)): \(key)" + (path.map { ", claim \($0)" } ?? "")
    }
}
