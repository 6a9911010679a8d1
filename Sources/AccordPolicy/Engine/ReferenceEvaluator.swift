public import AccordCore

/// The decision semantics written out plainly, with no compilation step: a linear reading of
/// the agreements for each message. It is the yardstick the compiled engine is tested against,
/// and it also produces the step-by-step explanation that `accord agreements explain` prints.
public struct ReferenceEvaluator: Sendable {
    public let set: AgreementSet

    public init(set: AgreementSet) { self.set = set }

    public func evaluate(_ routing: RoutingClaims, claimPaths: [String], for recipient: AgencyID, on date: CalendarDate) -> Decision {
        explain(routing, claimPaths: claimPaths, for: recipient, on: date).decision
    }

    public func explain(_ routing: RoutingClaims, claimPaths: [String], for recipient: AgencyID, on date: CalendarDate) -> Explanation {
        func deny(_ code: DenialCode, _ context: DenialContext, _ ids: [AgreementID] = []) -> Explanation {
            Explanation(decision: .deny(Denial(code, context, agreements: ids)), agreementID: nil, flowNumber: nil,
                        flowLocation: nil, legalBasis: [], claims: [])
        }
        if !routing.recipients.contains(recipient) {
            return deny(.recipientNotAddressed, DenialContext(name: recipient.rawValue))
        }
        if set.agencies[routing.issuer] == nil {
            return deny(.unknownSender, DenialContext(name: routing.issuer.rawValue))
        }
        guard let recipientAgency = set.agencies[recipient] else {
            return deny(.unknownRecipient, DenialContext(name: recipient.rawValue))
        }
        guard let schema = set.schemas[routing.type] else {
            return deny(.unknownMessageType, DenialContext(name: routing.type))
        }
        guard let classification = Classification(rawValue: routing.classification) else {
            return deny(.unknownClassification, DenialContext(name: routing.classification))
        }
        var candidates: [(agreement: Agreement, flow: Flow)] = []
        for agreement in set.agreements {
            if let named = routing.agreement, agreement.id != named { continue }
            for flow in agreement.flows {
                if routing.issuer != recipient && flow.from.contains(routing.issuer) && flow.to.contains(recipient)
                    && flow.types.contains(routing.type) && flow.purposes.contains(routing.purpose) {
                    candidates.append((agreement, flow))
                    break
                }
            }
        }
        let route = DenialContext(key: FlowKey(from: routing.issuer, to: recipient, type: routing.type, purpose: routing.purpose))
        if candidates.isEmpty {
            if let named = routing.agreement {
                return deny(.namedAgreementDoesNotCover, route, [named])
            }
            return deny(.noAgreement, route)
        }
        let inEffect = candidates.filter { $0.agreement.isInEffect(on: date) }
        if inEffect.isEmpty {
            let a = candidates[0].agreement
            switch a.status {
            case .draft:
                return deny(.agreementNotActive, route, [a.id])
            case .suspended:
                return deny(.agreementSuspended, route, [a.id])
            case .expired:
                return deny(.agreementExpired, route, [a.id])
            case .active:
                if date > a.validUntil {
                    return deny(.agreementExpired, DenialContext(key: route.key, date: a.validUntil), [a.id])
                }
                return deny(.agreementNotYetValid, DenialContext(key: route.key, date: a.validFrom), [a.id])
            }
        }
        if inEffect.count > 1 {
            let ids = inEffect.map(\.agreement.id)
            return deny(.ambiguousAgreement, route, ids)
        }
        let (agreement, flow) = inEffect[0]
        if classification > flow.maxClassification {
            return deny(.classificationAboveCeiling,
                        DenialContext(name: classification.rawValue, ceiling: flow.maxClassification, flowNumber: flow.number),
                        [agreement.id])
        }

        var seen: Set<String> = []
        var verdicts: [ClaimVerdict] = []
        var disclosed: [String] = []
        var withheld: [WithheldClaim] = []
        for path in claimPaths where seen.insert(path).inserted {
            let verdict = verdict(for: path, schema: schema, flow: flow, recipient: recipientAgency)
            verdicts.append(verdict)
            if let reason = verdict.withheld {
                withheld.append(WithheldClaim(path: path, reason: reason))
            } else {
                disclosed.append(path)
            }
        }
        // A hold is judged on what would go: a tagged claim that is withheld does not hold the message.
        var holdReasons: [HoldReason] = []
        if let hold = flow.hold {
            if hold.always { holdReasons.append(.always) }
            for path in disclosed {
                let tags = schema.claim(at: path)?.tags ?? []
                if let tag = SensitivityTag.allCases.first(where: { tags.contains($0) && hold.disclosedTags.contains($0) }) {
                    holdReasons.append(.taggedClaim(tag: tag, path: path))
                }
            }
            if let level = hold.classificationAtLeast, classification >= level {
                holdReasons.append(.classification(atLeast: level))
            }
            if hold.recipientOverseas && recipientAgency.isOverseas {
                holdReasons.append(.overseas(jurisdiction: recipientAgency.jurisdiction))
            }
        }
        let delivery = Delivery(agreementID: agreement.id, agreementDigest: agreement.digest,
                                agreementVersion: agreement.version, flowNumber: flow.number, disclosed: disclosed,
                                withheld: withheld, holdReasons: holdReasons, approvalsRequired: flow.hold?.approvals ?? 1,
                                handling: flow.handling)
        return Explanation(decision: .deliver(delivery), agreementID: agreement.id, flowNumber: flow.number,
                           flowLocation: flow.location, legalBasis: agreement.legalBasis, claims: verdicts)
    }

    private func verdict(for path: String, schema: MessageSchema, flow: Flow, recipient: Agency) -> ClaimVerdict {
        guard let claim = schema.claims.first(where: { $0.path == path }) else {
            return ClaimVerdict(path: path, withheld: .unknownToSchema,
                                rule: "not declared by the '\(schema.type)' schema")
        }
        if let rule = flow.neverDisclose.first(where: { ClaimPath.rule($0, covers: path) }) {
            return ClaimVerdict(path: path, withheld: .neverDisclosed, rule: "never_disclose: \(rule)")
        }
        guard let rule = flow.disclose.first(where: { ClaimPath.rule($0, covers: path) }) else {
            return ClaimVerdict(path: path, withheld: .notInFlow, rule: "not listed under disclose")
        }
        if claim.tags.contains(.child) && !recipient.isChildWelfareAgency && flow.childClaimsBasis == nil {
            return ClaimVerdict(path: path, withheld: .childProtected,
                                rule: "child-tagged; '\(recipient.id)' is not a child welfare and protection agency (Oranga Tamariki Act 1989 s2)")
        }
        return ClaimVerdict(path: path, withheld: nil, rule: "disclose: \(rule)")
    }
}
