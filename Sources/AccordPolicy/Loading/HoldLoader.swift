import Yams

/// Reads a flow's `hold:` (docs/agreements.md, "Holds"): the word `always`, or a mapping of
/// conditions, any of which holds a delivery, with the approvals a release needs.
enum HoldLoader {
    static let keys = ["always", "disclosed_tags", "classification_at_least", "recipient_overseas", "approvals"]
    static let maximumApprovals = 3

    static func hold(_ node: Node, file: String, what: String, log: DiagnosticLog) -> HoldRule? {
        let at = MappingReader.location(of: node, in: file)
        if let word = node.scalar?.string {
            guard word == "always" else {
                log.add(.invalidHold, at, "hold '\(word)' in \(what) must be 'always' or a mapping of conditions (\(keys.joined(separator: ", ")))")
                return nil
            }
            return .alwaysOnce
        }
        let context = "the hold of \(what)"
        guard let h = MappingReader(node, file: file, what: context, allowed: keys, log: log) else { return nil }
        var valid = true
        let always = h.has("always") ? h.bool("always", in: context) : false
        var tags: Set<SensitivityTag> = []
        for entry in h.strings("disclosed_tags", in: context, required: false) ?? [] {
            if let tag = SensitivityTag(rawValue: entry.value) {
                tags.insert(tag)
            } else {
                valid = false
                log.add(.invalidHold, entry.location,
                        "tag '\(entry.value)' is not one of: \(SensitivityTag.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if h.has("disclosed_tags"), tags.isEmpty, valid {
            log.add(.emptyList, h.location(of: "disclosed_tags"), "'disclosed_tags' in \(context) must not be empty")
        }
        var level: Classification?
        if let text = h.string("classification_at_least", in: context, required: false) {
            level = Classification(rawValue: text)
            if level == nil {
                valid = false
                log.add(.invalidHold, h.location(of: "classification_at_least"),
                        "classification '\(text)' is not one of: \(Classification.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let overseas = h.has("recipient_overseas") ? h.bool("recipient_overseas", in: context) : false
        var approvals = 1
        if h.has("approvals"), let number = h.int("approvals", in: context) {
            if (1...maximumApprovals).contains(number) {
                approvals = number
            } else {
                valid = false
                log.add(.invalidHold, h.location(of: "approvals"),
                        "approvals \(number) in \(context) must be from 1 to \(maximumApprovals) different privacy officers")
            }
        }
        guard let always, let overseas else { return nil }
        let rule = HoldRule(always: always, disclosedTags: tags, classificationAtLeast: level, recipientOverseas: overseas,
                            approvals: approvals)
        if valid, !rule.hasCondition {
            log.add(.invalidHold, at, "\(context) states no condition, so it would never hold anything; write 'always: true' or a condition, or leave 'hold' out")
        }
        return rule
    }
}
