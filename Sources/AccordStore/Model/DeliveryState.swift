/// Where one delivery to one recipient stands. Stored by raw value.
public enum DeliveryState: String, Sendable, Hashable, CaseIterable, Codable {
    case pending
    case delivered
    case acknowledged
    case held
    case rejected
    case expired
    /// Accepted, but the agreement it was accepted under is not in force now: not handed out
    /// until the agreement is back in force (then pending again, after every cursor handed out
    /// meanwhile), or until retention expires it.
    case waiting

    /// Whether a delivery in this state is in its recipient's inbox (until acknowledged).
    public var isInInbox: Bool {
        self == .pending || self == .delivered
    }

    /// Whether the delivery may still reach its recipient, so its text must be kept.
    public var isOpen: Bool {
        self == .pending || self == .delivered || self == .held || self == .waiting
    }

    /// The open states as an SQL list of literals.
    static var openStates: String {
        allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }

    /// The moves the gateway may make; anything else is refused so a delivery's history
    /// cannot be rewritten (an acknowledged delivery never becomes pending again).
    public func canMove(to next: DeliveryState) -> Bool {
        switch (self, next) {
        case (.pending, .delivered), (.pending, .held), (.pending, .rejected), (.pending, .expired),
             (.held, .pending), (.held, .rejected), (.held, .expired),
             (.delivered, .acknowledged), (.delivered, .expired), (.delivered, .delivered),
             (.pending, .waiting), (.delivered, .waiting), (.waiting, .pending), (.waiting, .expired):
            true
        default:
            false
        }
    }
}
