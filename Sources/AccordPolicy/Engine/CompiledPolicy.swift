public import AccordCore

/// An agreement set compiled into a decision table keyed by (from, to, type, purpose), with
/// each claim's outcome worked out in advance. Immutable once built; evaluation is lookups.
public final class CompiledPolicy: Sendable {
    public let set: AgreementSet
    private let table: [FlowKey: [Candidate]]

    /// Per candidate, what a decision needs, flattened so that deciding copies nothing large,
    /// and the outcome of every path the schema declares; a path not in the map is unknown to
    /// the schema.
    private final class Candidate: Sendable {
        let agreement: Agreement
        let id: AgreementID
        let digest: String
        let version: Int
        let status: AgreementStatus
        let validFrom: CalendarDate
        let validUntil: CalendarDate
        let flowNumber: Int
        let ceiling: Classification
        let handling: HandlingCode
        let hold: HoldRule?
        let recipient: Agency
        let claims: [String: Outcome]

        init(agreement: Agreement, flow: Flow, recipient: Agency, claims: [String: Outcome]) {
            self.agreement = agreement
            id = agreement.id
            digest = agreement.digest
            version = agreement.version
            status = agreement.status
            validFrom = agreement.validFrom
            validUntil = agreement.validUntil
            flowNumber = flow.number
            ceiling = flow.maxClassification
            handling = flow.handling
            hold = flow.hold
            self.recipient = recipient
            self.claims = claims
        }

        func isInEffect(on date: CalendarDate) -> Bool {
            status == .active && validFrom <= date && date <= validUntil
        }
    }

    private enum Outcome: Sendable {
        /// With the claim's tags, for a hold on tagged claims.
        case disclosed(Set<SensitivityTag>)
        case withheld(WithholdReason)
    }

    public init(_ set: AgreementSet) {
        self.set = set
        struct ClaimsKey: Hashable { let agreement: AgreementID; let flow: Int; let type: String; let recipient: AgencyID }
        var cache: [ClaimsKey: [String: Outcome]] = [:]
        var table: [FlowKey: [Candidate]] = [:]
        for agreement in set.agreements {
            for flow in agreement.flows {
                for key in FlowKey.all(of: flow) {
                    // INVARIANT: the first flow of an agreement that covers a key is the one that
                    // decides; agreements are visited in id order, so candidates are in id order.
                    if table[key]?.contains(where: { $0.id == agreement.id }) == true { continue }
                    guard let schema = set.schemas[key.type], let recipient = set.agencies[key.to] else { continue }
                    let cacheKey = ClaimsKey(agreement: agreement.id, flow: flow.number, type: key.type, recipient: key.to)
                    let claims: [String: Outcome]
                    if let cached = cache[cacheKey] {
                        claims = cached
                    } else {
                        var built: [String: Outcome] = [:]
                        for claim in schema.claims where built[claim.path] == nil {
                            built[claim.path] = ClaimRules.outcome(of: claim, in: flow, to: recipient)
                                .map(Outcome.withheld) ?? .disclosed(claim.tags)
                        }
                        cache[cacheKey] = built
                        claims = built
                    }
                    table[key, default: []].append(Candidate(agreement: agreement, flow: flow, recipient: recipient, claims: claims))
                }
            }
        }
        self.table = table
    }

    public func evaluate(_ routing: RoutingClaims, claimPaths: [String], for recipient: AgencyID, on date: CalendarDate) -> Decision {
        if !routing.recipients.contains(recipient) {
            return .deny(Denial(.recipientNotAddressed, DenialContext(name: recipient.rawValue)))
        }
        if set.agencies[routing.issuer] == nil {
            return .deny(Denial(.unknownSender, DenialContext(name: routing.issuer.rawValue)))
        }
        if set.agencies[recipient] == nil {
            return .deny(Denial(.unknownRecipient, DenialContext(name: recipient.rawValue)))
        }
        if set.schemas[routing.type] == nil {
            return .deny(Denial(.unknownMessageType, DenialContext(name: routing.type)))
        }
        guard let classification = Classification(rawValue: routing.classification) else {
            return .deny(Denial(.unknownClassification, DenialContext(name: routing.classification)))
        }
        let key = FlowKey(from: routing.issuer, to: recipient, type: routing.type, purpose: routing.purpose)
        let all = table[key] ?? []
        let candidates = routing.agreement.map { named in all.filter { $0.id == named } } ?? all
        guard let first = candidates.first else {
            // One answer whether the named agreement exists or not, so that a sender cannot
            // learn which agreement ids exist by naming them.
            if let named = routing.agreement {
                return .deny(Denial(.namedAgreementDoesNotCover, DenialContext(key: key),
                                    agreements: [named]))
            }
            return .deny(Denial(.noAgreement, DenialContext(key: key)))
        }
        var chosen: Candidate?
        var inEffect: [AgreementID] = []
        inEffect.reserveCapacity(candidates.count)
        for candidate in candidates where candidate.isInEffect(on: date) {
            chosen = chosen ?? candidate
            inEffect.append(candidate.id)
        }
        guard let chosen else { return .deny(notInEffect(first.agreement, key, date)) }
        if inEffect.count > 1 {
            return .deny(Denial(.ambiguousAgreement, DenialContext(key: key), agreements: inEffect))
        }
        if classification > chosen.ceiling {
            return .deny(Denial(.classificationAboveCeiling,
                                DenialContext(name: classification.rawValue, ceiling: chosen.ceiling, flowNumber: chosen.flowNumber),
                                agreements: [chosen.id]))
        }
        var disclosed: [String] = []
        var withheld: [WithheldClaim] = []
        var tagged: [(path: String, tags: Set<SensitivityTag>)] = []
        let holdsOnTags = chosen.hold.map { !$0.disclosedTags.isEmpty } ?? false
        disclosed.reserveCapacity(claimPaths.count)
        withheld.reserveCapacity(claimPaths.count)
        let claims = chosen.claims
        let paths = claimPaths
        // A repeated path is decided once. Known paths are compared by their index in the
        // claims table, which is cheaper than comparing strings; a long list falls back to a set.
        var seenKnown: [Dictionary<String, Outcome>.Index] = []
        var seenUnknown: [String] = []
        seenKnown.reserveCapacity(paths.count)
        var seenLong: Set<String>? = paths.count > 32 ? [] : nil
        for path in paths {
            if seenLong != nil, !seenLong!.insert(path).inserted { continue }
            guard let index = claims.index(forKey: path) else {
                if seenLong == nil {
                    if seenUnknown.contains(path) { continue }
                    seenUnknown.append(path)
                }
                withheld.append(WithheldClaim(path: path, reason: .unknownToSchema))
                continue
            }
            if seenLong == nil {
                if seenKnown.contains(index) { continue }
                seenKnown.append(index)
            }
            switch claims[index].value {
            case .disclosed(let tags):
                disclosed.append(path)
                if holdsOnTags, !tags.isEmpty { tagged.append((path, tags)) }
            case .withheld(let reason): withheld.append(WithheldClaim(path: path, reason: reason))
            }
        }
        return .deliver(Delivery(agreementID: chosen.id, agreementDigest: chosen.digest, agreementVersion: chosen.version,
                                 flowNumber: chosen.flowNumber, disclosed: disclosed, withheld: withheld,
                                 holdReasons: chosen.hold?.reasons(disclosed: tagged, classification: classification,
                                                                   recipient: chosen.recipient) ?? [],
                                 approvalsRequired: chosen.hold?.approvals ?? 1, handling: chosen.handling))
    }

    private func notInEffect(_ a: Agreement, _ key: FlowKey, _ date: CalendarDate) -> Denial {
        switch a.status {
        case .draft: Denial(.agreementNotActive, DenialContext(key: key), agreements: [a.id])
        case .suspended: Denial(.agreementSuspended, DenialContext(key: key), agreements: [a.id])
        case .expired: Denial(.agreementExpired, DenialContext(key: key), agreements: [a.id])
        case .active where date > a.validUntil:
            Denial(.agreementExpired, DenialContext(key: key, date: a.validUntil), agreements: [a.id])
        case .active:
            Denial(.agreementNotYetValid, DenialContext(key: key, date: a.validFrom), agreements: [a.id])
        }
    }

    /// Every key the table holds, for `diff` and for tools that list what may be sent to whom.
    public var keys: [FlowKey] { Array(table.keys) }

    /// Every entry of the table with the schema paths it discloses, for the property prover.
    func routes() -> [DeliveryRoute] {
        table.flatMap { key, candidates in
            candidates.map { candidate in
                var seen: Set<String> = []
                let disclosed = (set.schemas[key.type]?.claims ?? []).map(\.path).filter { path in
                    guard seen.insert(path).inserted, case .disclosed = candidate.claims[path] else { return false }
                    return true
                }
                return DeliveryRoute(key: key, agreement: candidate.agreement, flowNumber: candidate.flowNumber,
                                     ceiling: candidate.ceiling, disclosed: disclosed)
            }
        }
    }
}
