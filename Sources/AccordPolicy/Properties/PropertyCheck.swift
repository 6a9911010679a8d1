import AccordCore
/// The properties of a set, read and proved: what `accord agreements check` prints and what
/// every activation requires to be free of problems.
public struct PropertyCheck: Sendable {
    /// Problems of `properties.yaml` itself; when there are any, nothing is proved.
    public let problems: [Diagnostic]
    public let results: [PropertyResult]

    /// Reads `file` (nil: the set states no properties) against `set` and proves each property.
    public init(_ file: AgreementSources.File?, over policy: CompiledPolicy) {
        guard let file else {
            problems = []
            results = []
            return
        }
        let log = DiagnosticLog()
        let properties = PropertyLoader.properties(file, set: policy.set, log: log)
        problems = log.items
        results = problems.isEmpty ? PropertyProver.prove(properties, over: policy) : []
    }

    public init(_ sources: AgreementSources, set: AgreementSet) {
        self.init(sources.properties, over: CompiledPolicy(set))
    }

    /// Every problem and every broken property, one diagnostic per agreement flow that breaks
    /// it, at the property's location: empty when the set may be activated.
    public var diagnostics: [Diagnostic] {
        problems + results.flatMap { result in
            Self.grouped(result.counterexamples).map { group in
                Diagnostic(.propertyViolated, at: result.property.location,
                           "property '\(result.property.name)' is broken by \(group)")
            }
        }
    }

    /// Counterexamples of one property, one line per agreement flow: the senders, recipients,
    /// types, purposes and claim paths through which it breaks the property.
    public static func grouped(_ counterexamples: [Counterexample]) -> [String] {
        var order: [String] = []
        var groups: [String: [Counterexample]] = [:]
        for example in counterexamples {
            let id = "agreement '\(example.agreement)' flow \(example.flowNumber) (\(example.flowLocation))"
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(example)
        }
        return order.map { id in
            let examples = groups[id]!
            func distinct(_ values: [String]) -> String {
                var seen: Set<String> = []
                return values.filter { seen.insert($0).inserted }.joined(separator: ", ")
            }
            var text = "\(id): \(distinct(examples.map(\.key.from.rawValue))) -> \(distinct(examples.map(\.key.to.rawValue))), "
                + "types \(distinct(examples.map(\.key.type))), purposes \(distinct(examples.map(\.key.purpose))), "
                + "up to \(examples[0].ceiling.rawValue)"
            let paths = examples.compactMap(\.path)
            if !paths.isEmpty { text += ", claims \(distinct(paths))" }
            return text
        }
    }
}
