/// The console's flows view over `days` days from the start of `firstDay`, counted by the store
/// from the `message.delivered` leaves so that the view's memory does not grow with the log
/// (docs/console.md, "Flows"). The gateway writes a leaf for every pick-up and a recipient may
/// pull a delivery again before acknowledging it: a delivery counts once, by its delivery id,
/// on the day of its first pick-up in the period (a leaf without a delivery id counts as one),
/// and every pick-up counts in `pickUps`.
public struct DeliveryFlows: Sendable, Equatable {
    /// One (sender, recipient, message type, agreement): the leaf's `from` (else its actor),
    /// each of its `to`, `details.type` and `agreement.id`, `—` where a leaf has none.
    public struct Flow: Sendable, Hashable {
        public let from: String
        public let to: String
        public let type: String
        public let agreement: String
        public let deliveries: Int
        public let pickUps: Int
        /// Distinct days with a first pick-up of this flow.
        public let days: Int

        public init(from: String, to: String, type: String, agreement: String, deliveries: Int, pickUps: Int, days: Int) {
            self.from = from
            self.to = to
            self.type = type
            self.agreement = agreement
            self.deliveries = deliveries
            self.pickUps = pickUps
            self.days = days
        }
    }

    /// Most deliveries first, then by sender, recipient, type and agreement.
    public var flows: [Flow]
    /// Deliveries by day, `perDay[0]` the first day's.
    public var perDay: [Int]
    public var deliveries: Int
    public var pickUps: Int

    public init(flows: [Flow], perDay: [Int], deliveries: Int, pickUps: Int) {
        self.flows = flows
        self.perDay = perDay
        self.deliveries = deliveries
        self.pickUps = pickUps
    }

    /// The order `flows` is given in.
    public static func precedes(_ a: Flow, _ b: Flow) -> Bool {
        if a.deliveries != b.deliveries { return a.deliveries > b.deliveries }
        return (a.from, a.to, a.type, a.agreement) < (b.from, b.to, b.type, b.agreement)
    }

    static let dayMilliseconds: Int64 = 86_400_000
}
