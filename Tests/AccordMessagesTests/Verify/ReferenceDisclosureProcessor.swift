import AccordCore
@testable import AccordMessages

/// `DisclosureProcessor` as it was before it stopped copying clear structure and recording
/// routing paths: kept as the reference that `DisclosureProcessorDifferentialTests` compares
/// the processor with.
struct ReferenceDisclosureProcessor {
    private let disclosures: [Disclosure]
    private let maxDepth: Int
    private var indexByDigest: [String: Int] = [:]
    private var seenDigests: Set<String> = []
    private var used: [Bool]
    private(set) var records: [DisclosureRecord?]
    /// Every claim path present in the processed payload, and those of them held in clear.
    private(set) var presentPaths: Set<ClaimPath> = []
    private(set) var clearPaths: Set<ClaimPath> = []

    init(disclosures: [Disclosure], maxDepth: Int) throws(MessageError) {
        self.disclosures = disclosures
        self.maxDepth = maxDepth
        used = Array(repeating: false, count: disclosures.count)
        records = Array(repeating: nil, count: disclosures.count)
        for (index, disclosure) in disclosures.enumerated() {
            if let earlier = indexByDigest.updateValue(index, forKey: disclosure.digest) {
                throw MessageError(.disclosureRepeated, "disclosure \(index) repeats disclosure \(earlier)")
            }
        }
    }

    /// Returns the payload with disclosed claims in place and `_sd`, `_sd_alg` and
    /// undisclosed array elements removed. The top-level names in `routing` are the clear
    /// routing claims: left out of the path lists, and no disclosure may hide inside them.
    mutating func process(payload: [String: JSONValue], routing: Set<String>) throws(MessageError) -> [String: JSONValue] {
        var body = payload
        body.removeValue(forKey: "_sd_alg")
        let result = try processObject(body, path: ClaimPath(), depth: 1, parent: nil)
        if let unused = used.firstIndex(of: false) {
            throw MessageError(.disclosureUnreferenced, "disclosure \(unused) is not referenced by any digest in the SD-JWT")
        }
        func isRouting(_ path: ClaimPath) -> Bool {
            guard case .member(let name)? = path.segments.first else { return false }
            return routing.contains(name)
        }
        for (index, record) in records.enumerated() {
            if let record, isRouting(record.path), record.path.segments.count > 1 {
                throw MessageError(.invalidRoutingClaims, "disclosure \(index) conceals '\(record.path)' inside a routing claim, which must be in clear")
            }
        }
        presentPaths = presentPaths.filter { !isRouting($0) }
        clearPaths = clearPaths.filter { !isRouting($0) }
        return result
    }

    private mutating func processValue(_ value: JSONValue, path: ClaimPath, depth: Int, parent: Int?) throws(MessageError) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(try processObject(members, path: path, depth: depth + 1, parent: parent))
        case .array(let elements):
            return .array(try processArray(elements, path: path, depth: depth + 1, parent: parent))
        default:
            return value
        }
    }

    private mutating func checkDepth(_ depth: Int, _ path: ClaimPath) throws(MessageError) {
        guard depth <= maxDepth else {
            throw MessageError(.nestingTooDeep, "claims at '\(path)' nest deeper than \(maxDepth) levels")
        }
    }

    private mutating func claimDigest(_ digest: String, at path: ClaimPath) throws(MessageError) -> Int? {
        let names = digest.utf8.allSatisfy({ $0 < 0x80 }) && indexByDigest[digest] != nil
        let base64URL = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        guard names || (digest.utf8.count == 43 && digest.utf8.allSatisfy(base64URL.contains)) else {
            throw MessageError(.malformedDigest, "a string in '_sd' or '...' under '\(path.isEmpty ? "(top level)" : path.description)' is not a SHA-256 digest (43 base64url characters)")
        }
        guard seenDigests.insert(digest).inserted else {
            throw MessageError(.digestRepeated, "a digest under '\(path.isEmpty ? "(top level)" : path.description)' appears more than once in the SD-JWT")
        }
        guard digest.utf8.allSatisfy({ $0 < 0x80 }), let index = indexByDigest[digest] else { return nil }
        used[index] = true
        return index
    }

    private mutating func processObject(
        _ members: [String: JSONValue], path: ClaimPath, depth: Int, parent: Int?
    ) throws(MessageError) -> [String: JSONValue] {
        try checkDepth(depth, path)
        var output: [String: JSONValue] = [:]
        for (name, value) in members where name != "_sd" {
            guard name != "..." else {
                throw MessageError(.malformedPayload, "an object at '\(path)' uses the reserved key '...' outside an array element")
            }
            let memberPath = path.appending(member: name)
            presentPaths.insert(memberPath)
            clearPaths.insert(memberPath)
            output[name] = try processValue(value, path: memberPath, depth: depth, parent: parent)
        }
        guard let sd = members["_sd"] else { return output }
        guard case .array(let digests) = sd else {
            throw MessageError(.malformedPayload, "'_sd' at '\(path)' is not an array")
        }
        for entry in digests {
            guard case .string(let digest) = entry else {
                throw MessageError(.malformedPayload, "'_sd' at '\(path)' holds a value that is not a digest string")
            }
            guard let index = try claimDigest(digest, at: path) else { continue }
            let disclosure = disclosures[index]
            guard let name = disclosure.name else {
                throw MessageError(.malformedDisclosure, "disclosure \(index) is an array-element disclosure referenced from '_sd'")
            }
            guard output[name] == nil else {
                throw MessageError(.claimNameCollision, "disclosure \(index) discloses a claim already present at '\(path.appending(member: name))'")
            }
            let memberPath = path.appending(member: name)
            records[index] = DisclosureRecord(disclosure: disclosure, path: memberPath, parent: parent)
            presentPaths.insert(memberPath)
            output[name] = try processValue(disclosure.value, path: memberPath, depth: depth, parent: index)
        }
        return output
    }

    private mutating func processArray(_ elements: [JSONValue], path: ClaimPath, depth: Int, parent: Int?) throws(MessageError) -> [JSONValue] {
        try checkDepth(depth, path)
        let elementPath = path.elementPath
        var output: [JSONValue] = []
        output.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let members) = element, members.count == 1, let reference = members["..."] else {
                if case .object(let members) = element, members["..."] != nil {
                    throw MessageError(.malformedPayload, "an array element at '\(elementPath)' mixes '...' with other keys")
                }
                presentPaths.insert(elementPath)
                clearPaths.insert(elementPath)
                output.append(try processValue(element, path: elementPath, depth: depth, parent: parent))
                continue
            }
            guard case .string(let digest) = reference else {
                throw MessageError(.malformedPayload, "'...' at '\(elementPath)' is not a digest string")
            }
            guard let index = try claimDigest(digest, at: elementPath) else { continue }
            let disclosure = disclosures[index]
            guard disclosure.name == nil else {
                throw MessageError(.malformedDisclosure, "disclosure \(index) is an object-property disclosure referenced from an array element")
            }
            records[index] = DisclosureRecord(disclosure: disclosure, path: elementPath, parent: parent)
            presentPaths.insert(elementPath)
            output.append(try processValue(disclosure.value, path: elementPath, depth: depth, parent: index))
        }
        return output
    }
}
