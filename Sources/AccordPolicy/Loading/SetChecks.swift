import AccordCore
/// The checks that look across files: references to agencies, types, purposes and claims;
/// the Privacy Act and Oranga Tamariki Act rules; and agreements that contradict each other.
struct SetChecks {
    let set: AgreementSet
    let parsed: [ParsedAgreement]
    let log: DiagnosticLog

    func run() {
        var seen: [AgreementID: SourceLocation] = [:]
        for p in parsed {
            let a = p.agreement
            if let first = seen[a.id] {
                log.add(.duplicateAgreement, p.idLocation, "agreement id '\(a.id)' is already used at \(first)")
            } else {
                seen[a.id] = p.idLocation
            }
            for party in p.partyLocations where set.agencies[AgencyID(party.value)] == nil {
                log.add(.unknownAgency, party.location, "party '\(party.value)' is not in agencies.yaml")
            }
            var keys: [FlowKey: Int] = [:]
            for flow in p.flows {
                check(flow, in: p)
                for key in FlowKey.all(of: flow.flow) {
                    if let first = keys[key] {
                        log.add(.duplicateFlow, flow.flow.location,
                                "flow \(flow.flow.number) repeats \(key) already covered by flow \(first) of '\(a.id)'")
                        break
                    }
                    keys[key] = flow.flow.number
                }
            }
        }
        checkOverlaps()
    }

    private func check(_ p: ParsedFlow, in agreement: ParsedAgreement) {
        let flow = p.flow
        let a = agreement.agreement
        let parties = Set(a.parties)
        for entry in p.from + p.to {
            if set.agencies[AgencyID(entry.value)] == nil {
                log.add(.unknownAgency, entry.location, "agency '\(entry.value)' is not in agencies.yaml")
            } else if !parties.contains(AgencyID(entry.value)) {
                log.add(.flowPartyNotInParties, entry.location, "agency '\(entry.value)' is not a party to '\(a.id)'")
            }
        }
        if !flow.from.isEmpty, !flow.to.isEmpty, Set(flow.from) == Set(flow.to), flow.from.count == 1 {
            log.add(.selfFlow, flow.location, "flow \(flow.number) only sends from '\(flow.from[0])' to itself")
        }
        for type in p.types where set.schemas[type.value] == nil {
            log.add(.unknownMessageType, type.location, "message type '\(type.value)' has no schema in schemas/")
        }
        for purpose in p.purposes where set.purposes[purpose.value] == nil {
            log.add(.unknownPurpose, purpose.location, "purpose '\(purpose.value)' is not in purposes.yaml")
        }
        let schemas = flow.types.compactMap { set.schemas[$0] }
        if !schemas.isEmpty {
            for entry in p.disclose + p.neverDisclose where ClaimPath.isValid(entry.value) {
                let known = schemas.contains { schema in schema.claims.contains { ClaimPath.rule(entry.value, covers: $0.path) } }
                if !known {
                    log.add(.unknownClaimPath, entry.location,
                            "claim path '\(entry.value)' is not declared by the schema of \(flow.types.joined(separator: ", "))")
                }
            }
        }
        let never = Set(flow.neverDisclose)
        for entry in p.disclose where never.contains(entry.value) {
            log.add(.disclosedAndNeverDisclosed, entry.location,
                    "claim path '\(entry.value)' is both disclosed and never disclosed; remove one")
        }
        let recipients = flow.to.compactMap { set.agencies[$0] }
        let overseas = recipients.filter(\.isOverseas)
        if let first = overseas.first, flow.safeguard == nil {
            // The grounds Accord knows are New Zealand's; under another home the flow still needs
            // one named, and the law actually relied on belongs in legal_basis (docs/federation.md).
            let ground = first.home == "NZ" ? "state the Privacy Act 2020 IPP 12 safeguard relied on in 'ipp12_safeguard'"
                : "name the closest Privacy Act 2020 (NZ) IPP 12 ground in 'ipp12_safeguard' and cite the cross-border rule of \(first.home)'s own law in legal_basis"
            log.add(.overseasWithoutSafeguard, flow.location,
                    "flow \(flow.number) sends to \(overseas.map(\.id.rawValue).joined(separator: ", ")) outside \(first.homeName); \(ground)")
        }
        if overseas.isEmpty, flow.safeguard != nil, !recipients.isEmpty, recipients.count == flow.to.count {
            log.add(.safeguardNotOverseas, flow.location,
                    "flow \(flow.number) names an IPP 12 safeguard but sends to no overseas agency; remove it")
        }
        if let hold = flow.hold { checkHold(hold, of: flow, recipients: recipients, overseas: overseas, schemas: schemas) }
        if flow.childClaimsBasis == nil {
            for recipient in recipients where !recipient.isChildWelfareAgency {
                let childPaths = ClaimRules.childClaims(disclosedBy: flow, schemas: schemas)
                if !childPaths.isEmpty {
                    log.add(.childClaimsToNonChildAgency, flow.location,
                            "flow \(flow.number) discloses child-tagged claims (\(childPaths.joined(separator: ", "))) to '\(recipient.id)', which is not a child welfare and protection agency (Oranga Tamariki Act 1989 s2); withhold them or state 'child_claims_basis'")
                }
            }
        }
    }

    /// A hold condition that no message under the flow could meet is a mistake in the agreement:
    /// the officer would believe deliveries are reviewed that never are.
    private func checkHold(_ hold: HoldRule, of flow: Flow, recipients: [Agency], overseas: [Agency], schemas: [MessageSchema]) {
        if hold.recipientOverseas, overseas.isEmpty, !recipients.isEmpty, recipients.count == flow.to.count {
            log.add(.holdNeverApplies, flow.location,
                    "flow \(flow.number) holds deliveries to overseas recipients but sends to none; remove 'recipient_overseas'")
        }
        if !hold.disclosedTags.isEmpty, !recipients.isEmpty {
            let reachable = schemas.contains { schema in
                schema.claims.contains { claim in
                    !claim.tags.isDisjoint(with: hold.disclosedTags)
                        && recipients.contains { ClaimRules.outcome(of: claim, in: flow, to: $0) == nil }
                }
            }
            if !reachable {
                let tags = hold.disclosedTags.map(\.rawValue).sorted().joined(separator: ", ")
                log.add(.holdNeverApplies, flow.location,
                        "flow \(flow.number) holds deliveries that disclose a claim tagged \(tags), but it discloses no such claim; correct 'disclosed_tags' or the flow's 'disclose'")
            }
        }
    }

    /// Two agreements in effect together may cover the same flow only if they say the same thing;
    /// otherwise which claims go would depend on which agreement the sender names.
    private func checkOverlaps() {
        struct Seen { let agreement: Agreement; let flow: Flow }
        var byKey: [FlowKey: [Seen]] = [:]
        for a in set.agreements where a.status == .active {
            for flow in a.flows {
                for key in FlowKey.all(of: flow) {
                    byKey[key, default: []].append(Seen(agreement: a, flow: flow))
                }
            }
        }
        var reported: Set<[String]> = []
        for key in byKey.keys.sorted(by: { $0.description < $1.description }) {
            let entries = byKey[key]!
            guard entries.count > 1 else { continue }
            for i in 0..<entries.count {
                for j in (i + 1)..<entries.count {
                    let x = entries[i], y = entries[j]
                    guard x.agreement.id != y.agreement.id,
                          x.agreement.validFrom <= y.agreement.validUntil, y.agreement.validFrom <= x.agreement.validUntil,
                          !ClaimRules.sameTerms(x.flow, y.flow)
                    else { continue }
                    let pair = [x.agreement.id.rawValue, "\(x.flow.number)", y.agreement.id.rawValue, "\(y.flow.number)"]
                    guard reported.insert(pair).inserted else { continue }
                    log.add(.conflictingOverlap, y.flow.location,
                            "flow \(y.flow.number) of '\(y.agreement.id)' covers \(key) like flow \(x.flow.number) of '\(x.agreement.id)' (\(x.flow.location)) but on different terms; make them agree or remove one")
                }
            }
        }
    }
}
