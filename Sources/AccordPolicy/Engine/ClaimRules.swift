import AccordCore
/// How one flow treats one declared claim, shared by validation and the compiled engine.
/// (The reference evaluator restates these rules on its own, so that the differential test
/// compares two independent readings of the documented semantics.)
enum ClaimRules {
    static func outcome(of claim: ClaimSchema, in flow: Flow, to recipient: Agency) -> WithholdReason? {
        if flow.neverDisclose.contains(where: { ClaimPath.rule($0, covers: claim.path) }) { return .neverDisclosed }
        if !flow.disclose.contains(where: { ClaimPath.rule($0, covers: claim.path) }) { return .notInFlow }
        if claim.tags.contains(.child), !recipient.isChildWelfareAgency, flow.childClaimsBasis == nil {
            return .childProtected
        }
        return nil
    }

    /// Child-tagged claims the flow's rules would let through, before the child rule applies.
    static func childClaims(disclosedBy flow: Flow, schemas: [MessageSchema]) -> [String] {
        var out: [String] = []
        for schema in schemas {
            for claim in schema.claims where claim.tags.contains(.child) && !out.contains(claim.path) {
                let disclosed = flow.disclose.contains { ClaimPath.rule($0, covers: claim.path) }
                let never = flow.neverDisclose.contains { ClaimPath.rule($0, covers: claim.path) }
                if disclosed && !never { out.append(claim.path) }
            }
        }
        return out
    }

    static func sameTerms(_ a: Flow, _ b: Flow) -> Bool {
        Set(a.disclose) == Set(b.disclose) && Set(a.neverDisclose) == Set(b.neverDisclose)
            && a.maxClassification == b.maxClassification && a.handling == b.handling && a.hold == b.hold
            && a.childClaimsBasis == b.childClaimsBasis
    }
}
