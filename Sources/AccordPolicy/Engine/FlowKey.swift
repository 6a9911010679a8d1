public import AccordCore

/// The decision table's key: one sender, one recipient, one message type, one purpose.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    public let from: AgencyID
    public let to: AgencyID
    public let type: String
    public let purpose: String

    public init(from: AgencyID, to: AgencyID, type: String, purpose: String) {
        self.from = from
        self.to = to
        self.type = type
        self.purpose = purpose
    }

    public var description: String { "\(from) -> \(to), \(type), purpose \(purpose)" }

    static func all(of flow: Flow) -> [FlowKey] {
        var out: [FlowKey] = []
        for from in flow.from {
            // An agency never sends to itself through Accord, so symmetric flows
            // (from: [a, b], to: [a, b]) cover only a -> b and b -> a.
            for to in flow.to where to != from {
                for type in flow.types {
                    for purpose in flow.purposes { out.append(FlowKey(from: from, to: to, type: type, purpose: purpose)) }
                }
            }
        }
        return out
    }
}
