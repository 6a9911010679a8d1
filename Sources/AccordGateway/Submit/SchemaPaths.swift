import AccordPolicy

/// Claim paths as the gateway may show them: paths the message type's schema knows (a claim
/// or an ancestor of one) are shown; others, whose names may themselves be data, are not.
enum SchemaPaths {
    /// The one routing claim an agreement governs as a claim: the format names it, so it is shown.
    static let caseReference = "accord.case_ref"

    static func isKnown(_ path: String, in schema: MessageSchema?) -> Bool {
        if path == caseReference { return true }
        guard let schema else { return false }
        if schema.claim(at: path) != nil { return true }
        return schema.claims.contains { $0.path.hasPrefix(path + ".") || $0.path.hasPrefix(path + "[") }
    }

    /// The known paths, and how many were left out.
    static func partition(_ paths: [String], in schema: MessageSchema?) -> (known: [String], unknown: Int) {
        let known = paths.filter { isKnown($0, in: schema) }
        return (known, paths.count - known.count)
    }

    static func nameable(_ path: String, in schema: MessageSchema?) -> String {
        isKnown(path, in: schema) ? path : "(a claim the schema does not define)"
    }
}
