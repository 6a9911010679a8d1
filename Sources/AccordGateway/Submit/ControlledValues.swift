import AccordCore
import AccordMessages
import AccordPolicy

/// Checks the claims whose schema lists their values (`values:`, the indicators, `victim_status`,
/// …): a value outside the list would reach recipients as if it were one of the agreed terms.
/// Only the controlled paths are walked, so a message costs a lookup per controlled claim.
enum ControlledValues {
    /// The first controlled claim of `schema` that `claims` gives a value outside its vocabulary
    /// (a string not listed, or any other JSON value), or nil.
    static func firstViolation(in claims: [String: JSONValue], schema: MessageSchema) -> ClaimSchema? {
        schema.controlledClaims.first { claim in
            // Schema paths passed `ClaimPath.isValid` when the set was loaded, so they parse.
            guard let path = ClaimPath(parsing: claim.path) else { return false }
            var allowed = true
            visit(.object(claims), path.segments[...]) { value in
                guard case .string(let text) = value, claim.allowedValues.contains(text) else {
                    allowed = false
                    return
                }
            }
            return !allowed
        }
    }

    /// Calls `body` with every value at `path` below `value`; a path that is absent, or runs
    /// into a value of another shape, has no values.
    private static func visit(_ value: JSONValue, _ path: ArraySlice<ClaimPath.Segment>, _ body: (JSONValue) -> Void) {
        guard let first = path.first else { return body(value) }
        switch (first, value) {
        case (.member(let name), .object(let members)):
            if let member = members[name] { visit(member, path.dropFirst(), body) }
        case (.element, .array(let elements)):
            for element in elements { visit(element, path.dropFirst(), body) }
        default:
            break
        }
    }
}
