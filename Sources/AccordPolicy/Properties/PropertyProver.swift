/// Proves properties over a compiled set by visiting every delivery it can make: every table
/// entry and every claim path the schemas declare. The decision domain is finite, so this is
/// exact: a property that holds here holds for every message on every day, and one that fails
/// fails with every counterexample (docs/agreements.md, "Why the proof is exact").
public enum PropertyProver {
    public static func prove(_ properties: [AgreementProperty], over policy: CompiledPolicy) -> [PropertyResult] {
        let routes = policy.routes().filter(\.canDeliver)
        let set = policy.set
        return properties.map { property in
            var found: [Counterexample] = []
            let pattern = property.never
            for route in routes {
                guard set.agencies[route.key.from] != nil, let recipient = set.agencies[route.key.to],
                      pattern.matches(route.key, recipient: recipient) else { continue }
                // A message at the floor is delivered exactly when the flow's ceiling reaches it.
                if let floor = pattern.classificationAtLeast, route.ceiling < floor { continue }
                func counterexample(_ path: String?) -> Counterexample {
                    let flow = route.agreement.flows.first { $0.number == route.flowNumber }
                    return Counterexample(agreement: route.agreement.id, flowNumber: route.flowNumber,
                                          flowLocation: flow?.location ?? SourceLocation(file: route.agreement.file, line: 1, column: 1),
                                          key: route.key, ceiling: route.ceiling, path: path)
                }
                guard pattern.namesClaims else {
                    found.append(counterexample(nil))
                    continue
                }
                guard let schema = set.schemas[route.key.type] else { continue }
                for path in route.disclosed {
                    if let claim = schema.claim(at: path), pattern.matches(claim) { found.append(counterexample(path)) }
                }
            }
            return PropertyResult(property: property, counterexamples: found.sorted())
        }
    }
}
