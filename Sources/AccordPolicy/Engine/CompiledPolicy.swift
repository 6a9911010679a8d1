/// An agreement set compiled into a decision table keyed by (from, to, type, purpose), with
/// each claim's outcome worked out in advance. Immutable once built; evaluation is lookups.
public final class CompiledPolicy: Sendable {
    public let set: AgreementSet
    private let table: [FlowKey: [Candidate]]
    private let knownAgreements: Set<String>

    /// Per candidate, the outcome of every path the schema declares; a path not in the map is
    /// unknown to the schema.
    private struct Candidate: Sendable {
        let agreement: Agreement
        let flow: Flow
        let claims: [String: Outcome]
    }

    private enum Outcome: Sendable {
        case disclosed
        case withheld(WithholdReason)
    }

    public init(_ set: AgreementSet) {
        self.set = set
        knownAgreements = Set(set.agreements.map(\.id))
        struct ClaimsKey: Hashable { let agreement: String; let flow: Int; let type: String; let recipient: String }
        var cache: [ClaimsKey: [String: Outcome]] = [:]
        var table: [FlowKey: [Candidate]] = [:]
        for agreement in set.agreements {
            for flow in agreement.flows {
                for key in FlowKey.all(of: flow) {
                    // INVARIANT: the first flow of an agreement that covers a key is the one that
                    // decides; agreements are visited in id order, so candidates are in id order.
                    if table[key]?.contains(where: { $0.agreement.id == agreement.id }) == true { continue }
                    guard let schema = set.schemas[key.type], let recipient = set.agencies[key.to] else { continue }
                    let cacheKey = ClaimsKey(agreement: agreement.id, flow: flow.number, type: key.type, recipient: key.to)
                    let claims: [String: Outcome]
                    if let cached = cache[cacheKey] {
                        claims = cached
                    } else {
                        var built: [String: Outcome] = [:]
                        for claim in schema.claims where built[claim.path] == nil {
                            built[claim.path] = ClaimRules.outcome(of: claim, in: flow, to: recipient)
                                .map(Outcome.withheld) ?? .disclosed
                        }
                        cache[cacheKey] = built
                        claims = built
                    }
                    table[key, default: []].append(Candidate(agreement: agreement, flow: flow, claims: claims))
                }
            }
        }
        self.table = table
    }

    public func evaluate(_ message: MessageRouting, for recipient: String, on date: CalendarDate) -> Decision {
        if !message.to.contains(recipient) {
            return .deny(Denial(.recipientNotAddressed, "'\(recipient)' is not among the message's recipients"))
        }
        if set.agencies[message.issuer] == nil {
            return .deny(Denial(.unknownSender, "sender '\(message.issuer)' is not in the agency registry"))
        }
        if set.agencies[recipient] == nil {
            return .deny(Denial(.unknownRecipient, "recipient '\(recipient)' is not in the agency registry"))
        }
        if set.schemas[message.type] == nil {
            return .deny(Denial(.unknownMessageType, "message type '\(message.type)' has no schema"))
        }
        guard let classification = Classification(rawValue: message.classification) else {
            return .deny(Denial(.unknownClassification, "classification '\(message.classification)' is not a known marking"))
        }
        if let named = message.agreement, !knownAgreements.contains(named) {
            return .deny(Denial(.namedAgreementNotFound, "the message names agreement '\(named)', which does not exist",
                                agreements: [named]))
        }
        let key = FlowKey(from: message.issuer, to: recipient, type: message.type, purpose: message.purpose)
        let all = table[key] ?? []
        let candidates = message.agreement.map { named in all.filter { $0.agreement.id == named } } ?? all
        guard let first = candidates.first else {
            if let named = message.agreement {
                return .deny(Denial(.namedAgreementDoesNotCover, "agreement '\(named)' has no flow for \(key)",
                                    agreements: [named]))
            }
            return .deny(Denial(.noAgreement, "no agreement has a flow for \(key)"))
        }
        var chosen: Candidate?
        var inEffect: [String] = []
        for candidate in candidates where candidate.agreement.isInEffect(on: date) {
            chosen = chosen ?? candidate
            inEffect.append(candidate.agreement.id)
        }
        guard let chosen else { return .deny(notInEffect(first.agreement, key, date)) }
        if inEffect.count > 1 {
            return .deny(Denial(.ambiguousAgreement,
                                "several agreements cover \(key): \(inEffect.joined(separator: ", ")); the message must name one",
                                agreements: inEffect))
        }
        let flow = chosen.flow
        if classification > flow.maxClassification {
            return .deny(Denial(.classificationAboveCeiling,
                                "\(classification.rawValue) is above the \(flow.maxClassification.rawValue) ceiling of flow \(flow.number) of '\(chosen.agreement.id)'",
                                agreements: [chosen.agreement.id]))
        }
        var disclosed: [String] = []
        var withheld: [WithheldClaim] = []
        disclosed.reserveCapacity(message.claimPaths.count)
        let paths = message.claimPaths
        // Messages carry a handful of paths: a linear look-back beats hashing each into a set.
        var seen: Set<String>? = paths.count > 16 ? [] : nil
        for (index, path) in paths.enumerated() {
            if seen != nil {
                if !seen!.insert(path).inserted { continue }
            } else if paths[..<index].contains(path) {
                continue
            }
            switch chosen.claims[path] {
            case .disclosed?: disclosed.append(path)
            case .withheld(let reason)?: withheld.append(WithheldClaim(path: path, reason: reason))
            case nil: withheld.append(WithheldClaim(path: path, reason: .unknownToSchema))
            }
        }
        let a = chosen.agreement
        return .deliver(Delivery(agreementID: a.id, agreementDigest: a.digest, agreementVersion: a.version,
                                 flowNumber: flow.number, disclosed: disclosed, withheld: withheld,
                                 held: flow.review != nil, handling: flow.handling))
    }

    private func notInEffect(_ a: Agreement, _ key: FlowKey, _ date: CalendarDate) -> Denial {
        switch a.status {
        case .draft: Denial(.agreementNotActive, "agreement '\(a.id)' covers \(key) but is a draft", agreements: [a.id])
        case .suspended: Denial(.agreementSuspended, "agreement '\(a.id)' covers \(key) but is suspended", agreements: [a.id])
        case .expired: Denial(.agreementExpired, "agreement '\(a.id)' covers \(key) but has expired", agreements: [a.id])
        case .active where date > a.validUntil:
            Denial(.agreementExpired, "agreement '\(a.id)' covers \(key) but ended on \(a.validUntil)", agreements: [a.id])
        case .active:
            Denial(.agreementNotYetValid, "agreement '\(a.id)' covers \(key) but starts on \(a.validFrom)", agreements: [a.id])
        }
    }

    /// Every key the table holds, for `diff` and for tools that list what may be sent to whom.
    public var keys: [FlowKey] { Array(table.keys) }
}
