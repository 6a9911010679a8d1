/// One way a compiled set can deliver: a table entry (an agreement's flow for one sender,
/// recipient, type and purpose) with the claim paths it discloses. The prover reads these and
/// nothing else, so it proves what the engine decides, not a restatement of the rules.
struct DeliveryRoute: Sendable {
    let key: FlowKey
    let agreement: Agreement
    let flowNumber: Int
    let ceiling: Classification
    /// The schema's claim paths this entry discloses, in schema order.
    let disclosed: [String]

    /// Whether some message on some day is delivered through this entry: the engine delivers
    /// through an active agreement on any day of its window, naming it when several are in
    /// effect; drafts, suspended and expired agreements deliver nothing.
    var canDeliver: Bool {
        agreement.status == .active && agreement.validFrom <= agreement.validUntil
    }
}
