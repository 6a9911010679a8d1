import AccordCore

/// Where one disclosure sits in the message: its claim path, and the disclosure whose value
/// contains it (nil when it hangs off clear structure). Redaction walks these links.
struct DisclosureRecord: Sendable {
    let disclosure: Disclosure
    let path: ClaimPath
    let parent: Int?
}

/// One instance of a claim held in clear, with the disclosure whose value holds it (nil when
/// it sits in the issuer-signed payload itself). The instance reaches a recipient exactly when
/// that disclosure is kept, since keeping a disclosure keeps its ancestors.
struct ClearClaim: Hashable, Sendable {
    let path: ClaimPath
    let enclosing: Int?
}

/// Applies disclosures to the issuer-signed payload (RFC 9901 section 7.1, step 3), enforcing
/// each rejection rule of that section and of section 9 with its own error code.
///
/// Clear structure that holds no digest is walked for the checks but not copied: only objects
/// with `_sd`, arrays with `{"...": digest}` elements, and their ancestors are rebuilt.
struct DisclosureProcessor {
    private let disclosures: [Disclosure]
    private let maxDepth: Int
    private var indexByDigest: [String: Int]
    /// Digests seen that match no disclosure (decoys, withheld claims). One that matches a
    /// disclosure is marked in `used` instead, so a repeat of either kind is found.
    private var otherDigests: Set<String> = []
    private var used: [Bool]
    private(set) var records: [DisclosureRecord?]
    /// Every claim path present in the processed payload, and the instances held in clear,
    /// outside the clear routing claims.
    private(set) var presentPaths: Set<ClaimPath> = []
    private(set) var clearClaims: Set<ClearClaim> = []
    /// The path of the value being processed.
    private var segments: [ClaimPath.Segment] = []

    init(disclosures: [Disclosure], maxDepth: Int) throws(MessageError) {
        self.disclosures = disclosures
        self.maxDepth = maxDepth
        used = Array(repeating: false, count: disclosures.count)
        records = Array(repeating: nil, count: disclosures.count)
        indexByDigest = Dictionary(minimumCapacity: disclosures.count)
        presentPaths.reserveCapacity(disclosures.count)
        for (index, disclosure) in disclosures.enumerated() {
            if let earlier = indexByDigest.updateValue(index, forKey: disclosure.digest) {
                throw MessageError(.disclosureRepeated, "disclosure \(index) repeats disclosure \(earlier)")
            }
        }
    }

    private var path: ClaimPath { ClaimPath(segments) }

    /// The paths of `clearClaims`, whatever encloses them.
    var clearPaths: Set<ClaimPath> { Set(clearClaims.map(\.path)) }

    /// Returns the payload with disclosed claims in place and `_sd`, `_sd_alg` and
    /// undisclosed array elements removed. The top-level names in `routing` are the clear
    /// routing claims: left out of the path lists, and no disclosure may hide inside them.
    mutating func process(payload: [String: JSONValue], routing: Set<String>) throws(MessageError) -> [String: JSONValue] {
        let result = try processObject(payload, depth: 1, parent: nil, routing: routing, recording: true) ?? payload
        if let unused = used.firstIndex(of: false) {
            throw MessageError(.disclosureUnreferenced, "disclosure \(unused) is not referenced by any digest in the SD-JWT")
        }
        for (index, record) in records.enumerated() {
            guard let record, record.path.segments.count > 1, case .member(let name) = record.path.segments[0], routing.contains(name) else { continue }
            throw MessageError(.invalidRoutingClaims, "disclosure \(index) conceals '\(record.path)' inside a routing claim, which must be in clear")
        }
        return result
    }

    /// The value with its disclosures applied, or nil when it is unchanged. Paths are recorded
    /// when `recording`, that is outside the routing claims.
    private mutating func processValue(_ value: JSONValue, depth: Int, parent: Int?, recording: Bool) throws(MessageError) -> JSONValue? {
        switch value {
        case .object(let members):
            return try processObject(members, depth: depth + 1, parent: parent, routing: nil, recording: recording).map { .object($0) }
        case .array(let elements):
            return try processArray(elements, depth: depth + 1, parent: parent, recording: recording).map { .array($0) }
        default:
            return nil
        }
    }

    private func checkDepth(_ depth: Int) throws(MessageError) {
        guard depth <= maxDepth else {
            throw MessageError(.nestingTooDeep, "claims at '\(path)' nest deeper than \(maxDepth) levels")
        }
    }

    /// The index of the disclosure `digest` names, nil for a digest of none.
    private mutating func claimDigest(_ digest: String) throws(MessageError) -> Int? {
        // Digests are compared as bytes, as RFC 9901 and other verifiers do: Swift's String
        // equality is Unicode canonical equivalence, under which a digest spelt with, say,
        // KELVIN SIGN for "K" would match. Every disclosure's digest is ASCII, and distinct
        // ASCII strings are never equivalent, so a non-ASCII digest simply matches none.
        if Self.isASCII(digest), let index = indexByDigest[digest] {
            guard !used[index] else { throw digestRepeated() }
            used[index] = true
            return index
        }
        // A decoy is forwarded with the issuer JWT, so it must be what it claims to be: any
        // other string there would be a clear channel no agreement governs.
        guard Self.isDigestShaped(digest) else {
            throw MessageError(.malformedDigest, Self.malformedDigestMessage(at: segments.isEmpty ? nil : path))
        }
        guard otherDigests.insert(digest).inserted else { throw digestRepeated() }
        return nil
    }

    static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// Whether `text` has the form of a SHA-256 digest: 43 base64url characters, unpadded.
    static func isDigestShaped(_ text: String) -> Bool {
        text.utf8.count == 43 && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"): true
            default: false
            }
        }
    }

    static func malformedDigestMessage(at path: ClaimPath?) -> String {
        "a string in '_sd' or '...' under '\(path?.description ?? "(top level)")' is not a SHA-256 digest (43 base64url characters)"
    }

    private func digestRepeated() -> MessageError {
        MessageError(.digestRepeated, "a digest under '\(segments.isEmpty ? "(top level)" : path.description)' appears more than once in the SD-JWT")
    }

    /// `routing` is given for the payload itself, whose `_sd_alg` is dropped and whose members
    /// named there are routing claims.
    private mutating func processObject(
        _ members: [String: JSONValue], depth: Int, parent: Int?, routing: Set<String>?, recording: Bool
    ) throws(MessageError) -> [String: JSONValue]? {
        try checkDepth(depth)
        let sd = members["_sd"]
        let dropsDigestAlgorithm = routing != nil && members["_sd_alg"] != nil
        // INVARIANT: when rebuilding, `output` receives every member kept; otherwise it stays
        // nil until a member changes, and is then a copy of `members` with the changes made.
        let rebuilding = sd != nil || dropsDigestAlgorithm
        var output: [String: JSONValue]? = nil
        if rebuilding {
            output = Dictionary(minimumCapacity: members.count + min(sd?.arrayValue?.count ?? 0, disclosures.count))
        }
        for (name, value) in members where name != "_sd" && !(dropsDigestAlgorithm && name == "_sd_alg") {
            guard name != "..." else {
                throw MessageError(.malformedPayload, "an object at '\(path)' uses the reserved key '...' outside an array element")
            }
            let recordingMember = routing.map { !$0.contains(name) } ?? recording
            segments.append(.member(name))
            if recordingMember {
                let memberPath = path
                presentPaths.insert(memberPath)
                clearClaims.insert(ClearClaim(path: memberPath, enclosing: parent))
            }
            let processed = try processValue(value, depth: depth, parent: parent, recording: recordingMember)
            segments.removeLast()
            if rebuilding {
                output![name] = processed ?? value
            } else if let processed {
                if output == nil { output = members }
                output![name] = processed
            }
        }
        guard let sd else { return output }
        guard case .array(let digests) = sd else {
            throw MessageError(.malformedPayload, "'_sd' at '\(path)' is not an array")
        }
        for entry in digests {
            guard case .string(let digest) = entry else {
                throw MessageError(.malformedPayload, "'_sd' at '\(path)' holds a value that is not a digest string")
            }
            guard let index = try claimDigest(digest) else { continue }
            let disclosure = disclosures[index]
            guard let name = disclosure.name else {
                throw MessageError(.malformedDisclosure, "disclosure \(index) is an array-element disclosure referenced from '_sd'")
            }
            guard output![name] == nil else {
                throw MessageError(.claimNameCollision, "disclosure \(index) discloses a claim already present at '\(path.appending(member: name))'")
            }
            segments.append(.member(name))
            let memberPath = path
            records[index] = DisclosureRecord(disclosure: disclosure, path: memberPath, parent: parent)
            let recordingMember = routing.map { !$0.contains(name) } ?? recording
            if recordingMember { presentPaths.insert(memberPath) }
            let processed = try processValue(disclosure.value, depth: depth, parent: index, recording: recordingMember)
            segments.removeLast()
            output![name] = processed ?? disclosure.value
        }
        return output
    }

    private mutating func processArray(_ elements: [JSONValue], depth: Int, parent: Int?, recording: Bool) throws(MessageError) -> [JSONValue]? {
        try checkDepth(depth)
        segments.append(.element)
        defer { segments.removeLast() }
        // INVARIANT: nil until an element changes or goes; then the elements kept so far.
        var output: [JSONValue]? = nil
        var elementPath: ClaimPath? = nil
        for (position, element) in elements.enumerated() {
            guard case .object(let members) = element, members.count == 1, let reference = members["..."] else {
                if case .object(let members) = element, members["..."] != nil {
                    throw MessageError(.malformedPayload, "an array element at '\(path)' mixes '...' with other keys")
                }
                if recording {
                    if elementPath == nil { elementPath = path }
                    presentPaths.insert(elementPath!)
                    clearClaims.insert(ClearClaim(path: elementPath!, enclosing: parent))
                }
                let processed = try processValue(element, depth: depth, parent: parent, recording: recording)
                if output != nil {
                    output!.append(processed ?? element)
                } else if let processed {
                    output = Self.prefix(elements, position)
                    output!.append(processed)
                }
                continue
            }
            guard case .string(let digest) = reference else {
                throw MessageError(.malformedPayload, "'...' at '\(path)' is not a digest string")
            }
            if output == nil { output = Self.prefix(elements, position) }
            guard let index = try claimDigest(digest) else { continue }
            let disclosure = disclosures[index]
            guard disclosure.name == nil else {
                throw MessageError(.malformedDisclosure, "disclosure \(index) is an object-property disclosure referenced from an array element")
            }
            if elementPath == nil { elementPath = path }
            records[index] = DisclosureRecord(disclosure: disclosure, path: elementPath!, parent: parent)
            if recording { presentPaths.insert(elementPath!) }
            let processed = try processValue(disclosure.value, depth: depth, parent: index, recording: recording)
            output!.append(processed ?? disclosure.value)
        }
        return output
    }

    /// The first `count` elements, with room for the rest.
    private static func prefix(_ elements: [JSONValue], _ count: Int) -> [JSONValue] {
        var prefix: [JSONValue] = []
        prefix.reserveCapacity(elements.count)
        prefix.append(contentsOf: elements[..<count])
        return prefix
    }
}
