public import AccordCore

/// What changes between two agreement sets, flow by flow: which (from, to, type, purpose)
/// combinations open or close, and which claims become disclosed or withheld. It compares
/// what each set would let through on one date, so a status or window change shows too.
public struct PolicyDiff: Sendable {
    /// One change, for one key and agreement.
    public enum Change: Sendable, Hashable, CustomStringConvertible {
        case opened(FlowKey, agreement: AgreementID, disclosed: [String], held: Bool)
        case closed(FlowKey, agreement: AgreementID)
        case changed(FlowKey, agreement: AgreementID, newlyDisclosed: [String], newlyWithheld: [String], notes: [String])

        public var description: String {
            switch self {
            case .opened(let key, let agreement, let disclosed, let held):
                "+ opened  \(key) under '\(agreement)'\(held ? ", held for a privacy officer" : ""): discloses "
                    + (disclosed.isEmpty ? "nothing" : disclosed.joined(separator: ", "))
            case .closed(let key, let agreement):
                "- closed  \(key) under '\(agreement)'"
            case .changed(let key, let agreement, let newlyDisclosed, let newlyWithheld, let notes):
                "~ changed \(key) under '\(agreement)': " + (
                    (newlyDisclosed.isEmpty ? [] : ["newly disclosed: \(newlyDisclosed.joined(separator: ", "))"])
                    + (newlyWithheld.isEmpty ? [] : ["newly withheld: \(newlyWithheld.joined(separator: ", "))"])
                    + notes).joined(separator: "; ")
            }
        }
    }

    public let changes: [Change]

    public init(old: AgreementSet, new: AgreementSet, on date: CalendarDate) {
        let before = Self.terms(of: old, on: date)
        let after = Self.terms(of: new, on: date)
        var changes: [Change] = []
        let ids = Set(before.keys).union(after.keys).sorted { ($0.key.description, $0.agreement) < ($1.key.description, $1.agreement) }
        for id in ids {
            switch (before[id], after[id]) {
            case (nil, let t?):
                changes.append(.opened(id.key, agreement: id.agreement, disclosed: t.disclosed.sorted(), held: t.held))
            case (_?, nil): changes.append(.closed(id.key, agreement: id.agreement))
            case (let a?, let b?):
                var notes: [String] = []
                if a.ceiling != b.ceiling { notes.append("ceiling \(a.ceiling.rawValue) -> \(b.ceiling.rawValue)") }
                if a.handling != b.handling { notes.append("handling \(a.handling.rawValue) -> \(b.handling.rawValue)") }
                if a.held != b.held { notes.append(b.held ? "now held for a privacy officer" : "no longer held") }
                else if a.hold != b.hold { notes.append("held under different conditions") }
                let more = b.disclosed.subtracting(a.disclosed).sorted()
                let less = a.disclosed.subtracting(b.disclosed).sorted()
                if !more.isEmpty || !less.isEmpty || !notes.isEmpty {
                    changes.append(.changed(id.key, agreement: id.agreement, newlyDisclosed: more, newlyWithheld: less,
                                            notes: notes))
                }
            case (nil, nil): break
            }
        }
        self.changes = changes
    }

    struct TermsID: Hashable { let key: FlowKey; let agreement: AgreementID }
    struct Terms { let disclosed: Set<String>; let ceiling: Classification; let handling: HandlingCode; let hold: HoldRule?
        var held: Bool { hold != nil } }

    static func terms(of set: AgreementSet, on date: CalendarDate) -> [TermsID: Terms] {
        var out: [TermsID: Terms] = [:]
        for agreement in set.agreements where agreement.isInEffect(on: date) {
            for flow in agreement.flows {
                for key in FlowKey.all(of: flow) {
                    let id = TermsID(key: key, agreement: agreement.id)
                    guard out[id] == nil, let schema = set.schemas[key.type], let recipient = set.agencies[key.to] else {
                        continue
                    }
                    let disclosed = schema.claims.filter { ClaimRules.outcome(of: $0, in: flow, to: recipient) == nil }.map(\.path)
                    out[id] = Terms(disclosed: Set(disclosed), ceiling: flow.maxClassification, handling: flow.handling,
                                    hold: flow.hold)
                }
            }
        }
        return out
    }
}
