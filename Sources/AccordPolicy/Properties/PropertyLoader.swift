import AccordCore
import Yams

/// Reads `properties.yaml` against the set it speaks of: a property that names an agency,
/// type, purpose or claim path the set does not know would hold vacuously, so it is a problem.
enum PropertyLoader {
    static let itemKeys = ["name", "never", "description"]
    static let patternKeys = ["tags", "paths", "from", "to", "to_jurisdiction", "types", "purposes", "classification_at_least"]

    static func properties(_ file: AgreementSources.File, set: AgreementSet, log: DiagnosticLog) -> [AgreementProperty] {
        guard let root = YAMLDocument.parse(file, log: log),
              let top = MappingReader(root, file: file.path, what: "the properties file", allowed: ["properties"], log: log),
              let items = top.sequence("properties", in: "the properties file")
        else { return [] }
        var out: [AgreementProperty] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            guard let m = MappingReader(item, file: file.path, what: "a property", allowed: itemKeys, log: log),
                  let name = m.string("name", in: "a property") else { continue }
            if let first = seen[name] {
                log.add(.duplicateProperty, m.location(of: "name"), "property '\(name)' is already stated at \(first)")
            } else {
                seen[name] = m.location
            }
            _ = m.string("description", in: "property '\(name)'", required: false)
            guard let node = m.node("never") else {
                log.add(.missingKey, m.location, "property '\(name)' is missing required key 'never'")
                continue
            }
            guard let pattern = self.pattern(node, file: file.path, name: name, set: set, log: log) else { continue }
            out.append(AgreementProperty(name: name, never: pattern, location: m.location))
        }
        return out
    }

    private static func pattern(_ node: Node, file: String, name: String, set: AgreementSet, log: DiagnosticLog) -> PropertyPattern? {
        let what = "'never' of property '\(name)'"
        guard let m = MappingReader(node, file: file, what: what, allowed: patternKeys, log: log) else { return nil }
        var pattern = PropertyPattern()
        var valid = true
        func list(_ key: String, known: (String) -> Bool, noun: String, unknown: String = "which the set does not define") -> [String]? {
            guard let items = m.strings(key, in: what, required: false) else { return nil }
            if items.isEmpty {
                log.add(.invalidProperty, m.location(of: key), "'\(key)' in \(what) is empty; leave it out or name at least one \(noun)")
                valid = false
            }
            if key == "paths" {
                // `informant` beside `informant.*` may name no claim by itself; the list must name some.
                if !items.isEmpty, !items.contains(where: { known($0.value) }) {
                    log.add(.invalidProperty, m.location(of: key), "'paths' in \(what) matches no claim path any schema declares")
                    valid = false
                }
                return items.map(\.value)
            }
            for item in items where !known(item.value) {
                log.add(.invalidProperty, item.location, "'\(key)' in \(what) names \(noun) '\(item.value)', \(unknown)")
                valid = false
            }
            return items.map(\.value)
        }
        pattern.from = list("from", known: { set.agencies[AgencyID($0)] != nil }, noun: "agency")?.map(AgencyID.init(rawValue:))
        pattern.to = list("to", known: { set.agencies[AgencyID($0)] != nil }, noun: "agency")?.map(AgencyID.init(rawValue:))
        pattern.types = list("types", known: { set.schemas[$0] != nil }, noun: "message type")
        pattern.purposes = list("purposes", known: { set.purposes[$0] != nil }, noun: "purpose")
        let declared = set.schemas.values.flatMap { $0.claims.map(\.path) }
        pattern.paths = list("paths", known: { text in declared.contains { PathPattern.matches(text, $0) } }, noun: "claim path pattern")
        if let tags = list("tags", known: { SensitivityTag(rawValue: $0) != nil }, noun: "sensitivity tag",
                           unknown: "which is not one of: \(SensitivityTag.allCases.map(\.rawValue).joined(separator: ", "))") {
            pattern.tags = Set(tags.compactMap(SensitivityTag.init(rawValue:)))
        }
        if let text = m.string("to_jurisdiction", in: what, required: false) {
            if text == "overseas" {
                pattern.toJurisdiction = .overseas
            } else if text.count == 2, text.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                pattern.toJurisdiction = .country(text)
            } else {
                log.add(.invalidProperty, m.location(of: "to_jurisdiction"),
                        "to_jurisdiction '\(text)' must be 'overseas' or an ISO 3166-1 alpha-2 code such as NZ or AU")
                valid = false
            }
        }
        if let text = m.string("classification_at_least", in: what, required: false) {
            pattern.classificationAtLeast = Classification(rawValue: text)
            if pattern.classificationAtLeast == nil {
                log.add(.invalidProperty, m.location(of: "classification_at_least"),
                        "classification '\(text)' is not one of: \(Classification.allCases.map(\.rawValue).joined(separator: ", "))")
                valid = false
            }
        }
        if pattern == PropertyPattern(), valid {
            // An empty pattern would forbid every delivery: surely not what was meant.
            log.add(.invalidProperty, m.location, "\(what) names nothing; give at least one of: \(patternKeys.joined(separator: ", "))")
            valid = false
        }
        return valid ? pattern : nil
    }
}
