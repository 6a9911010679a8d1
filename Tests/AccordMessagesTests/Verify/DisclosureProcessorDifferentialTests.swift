import AccordCore
import AccordTestSupport
import AccordCrypto
@testable import AccordMessages
import Testing

/// `DisclosureProcessor` against the processor it replaced (`ReferenceDisclosureProcessor`) over
/// random payloads with disclosures at every level, each case carrying at most one fault of
/// the kinds RFC 9901 section 7.1 refuses: the same claims, paths and records, or the same
/// error. Messages are compared too, except where the payload has a top-level `_sd_alg`: the
/// reference iterated a copy with it removed, whose member order may differ, and with it
/// which of two places holding a repeated digest is named.
@Suite struct DisclosureProcessorDifferentialTests {
    @Test func agreesWithTheReference() async throws {
        let run = RandomRun("disclosure processor differential", cases: 3_000, seed: 0xD15C)
        var random = run.generator
        var refused: [MessageError.Code: Int] = [:]
        for _ in 0..<run.cases {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            let fault = Fault.allCases.randomElement(using: &random)!
            var builder = CaseBuilder(random: random, fault: fault)
            let (payload, disclosures) = try builder.build()
            random = builder.random
            let maxDepth = Int.random(in: 3...9, using: &random)
            let routing = ClearClaims.names.intersection(payload.keys)

            let expected = Self.outcome { () throws(MessageError) in
                var processor = try ReferenceDisclosureProcessor(disclosures: disclosures, maxDepth: maxDepth)
                let claims = try processor.process(payload: payload, routing: routing)
                return Result(claims: claims, present: processor.presentPaths, clear: processor.clearPaths, records: processor.records)
            }
            let actual = Self.outcome { () throws(MessageError) in
                var processor = try DisclosureProcessor(disclosures: disclosures, maxDepth: maxDepth)
                let claims = try processor.process(payload: payload, routing: routing)
                return Result(claims: claims, present: processor.presentPaths, clear: processor.clearPaths, records: processor.records)
            }
            switch (expected, actual) {
            case (.success(let expected), .success(let actual)):
                #expect(actual == expected, "\(fault) (\(run))")
            case (.failure(let expected), .failure(let actual)):
                #expect(actual.code == expected.code, "\(fault): \(actual) / \(expected) (\(run))")
                if payload["_sd_alg"] == nil { #expect(actual.message == expected.message, "\(fault) (\(run))") }
                refused[expected.code, default: 0] += 1
            default:
                Issue.record("\(fault): \(actual) / \(expected) (\(run))")
            }
        }
        let codes: Set<MessageError.Code> = [
            .digestRepeated, .disclosureRepeated, .disclosureUnreferenced, .malformedDisclosure, .claimNameCollision,
            .malformedPayload, .invalidRoutingClaims, .nestingTooDeep,
        ]
        #expect(codes.isSubset(of: refused.keys), "refusals seen: \(refused)")
    }

    private struct Result: Equatable {
        struct Record: Equatable {
            let digest: String
            let path: ClaimPath
            let parent: Int?
        }

        let claims: [String: JSONValue]
        let present: Set<ClaimPath>
        let clear: Set<ClaimPath>
        let records: [Record?]

        init(claims: [String: JSONValue], present: Set<ClaimPath>, clear: Set<ClaimPath>, records: [DisclosureRecord?]) {
            self.claims = claims
            self.present = present
            self.clear = clear
            self.records = records.map { $0.map { Record(digest: $0.disclosure.digest, path: $0.path, parent: $0.parent) } }
        }
    }

    private static func outcome(_ body: () throws(MessageError) -> Result) -> Swift.Result<Result, MessageError> {
        do { return .success(try body()) } catch { return .failure(error) }
    }
}

/// What a case does wrong, if anything.
private enum Fault: CaseIterable {
    case none, repeatDigest, unreferenced, duplicateDisclosure, elementFromSD, propertyFromArray, clearAndDisclosed,
         sameNameTwice, sdNotArray, sdNotString, dotsInObject, dotsMixed, dotsNotString, inRouting, sdAlgDisclosed, kelvin
}

/// Builds a payload from random claims the way an issuer would, disclosing about half of the
/// members and elements at every level, with decoys, and works `fault` in at a random place.
private struct CaseBuilder {
    var random: SplitMix64
    let fault: Fault
    private var disclosures: [Disclosure] = []
    private var emitted: [String] = []
    private var injected = false

    init(random: SplitMix64, fault: Fault) {
        self.random = random
        self.fault = fault
    }

    mutating func build() throws -> ([String: JSONValue], [Disclosure]) {
        var content: [String: JSONValue] = [:]
        for index in 0..<Int.random(in: 1...5, using: &random) { content[name(index)] = randomValue(depth: 1) }
        guard case .object(var payload) = try conceal(.object(content), routing: false) else { fatalError("an object conceals to an object") }
        payload["iss"] = "nz-police"
        payload["jti"] = "m-1"
        payload["iat"] = 1_760_000_000
        payload["exp"] = 1_760_003_600
        let accord: JSONValue = ["type": "referral", "to": ["immigration-nz"], "purpose": "investigation", "classification": "c"]
        payload["accord"] = fault == .inRouting && chance(0.5) ? try conceal(accord, routing: true) : accord
        let jwk: JSONValue = ["jwk": ["kty": "EC", "crv": "P-256", "x": "x", "y": "y"]]
        payload["cnf"] = fault == .inRouting && !injected ? try conceal(jwk, routing: true) : jwk
        if chance(0.5) { payload["_sd_alg"] = "sha-256" }
        if fault == .sdAlgDisclosed {
            let disclosure = try disclose("_sd_alg", "sha-256")
            var sd = payload["_sd"]?.arrayValue ?? []
            sd.append(.string(disclosure.digest))
            payload["_sd"] = .array(sd)
        }
        if fault == .unreferenced { disclosures.append(try Disclosure.make(name: "stray", value: 1)) }
        if fault == .duplicateDisclosure, let some = disclosures.randomElement(using: &random) { disclosures.append(some) }
        disclosures.shuffle(using: &random)
        return (payload, disclosures)
    }

    private mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &random) < probability }

    /// Names from a small set, so that objects at different places share them.
    private func name(_ index: Int) -> String { ["name", "list", "a", "b", "é", "K", "x.y"][index % 7] }

    private mutating func randomValue(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth >= 4 ? 2 : 5), using: &random) {
        case 0: return .string(["Sione", "FJ1234567", "", "K"].randomElement(using: &random)!)
        case 1: return [1, true, nil, .number("2.5")].randomElement(using: &random)!
        case 2, 3:
            var members: [String: JSONValue] = [:]
            for index in 0..<Int.random(in: 0...4, using: &random) { members[name(index)] = randomValue(depth: depth + 1) }
            return .object(members)
        default:
            return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in randomValue(depth: depth + 1) })
        }
    }

    /// Whether to work the fault in here: at the first place it fits, or later by chance.
    private mutating func take(_ kinds: Fault...) -> Bool {
        guard kinds.contains(fault), !injected || fault == .repeatDigest || fault == .kelvin, chance(0.4) else { return false }
        injected = true
        return true
    }

    private mutating func disclose(_ name: String?, _ value: JSONValue) throws -> Disclosure {
        let disclosure = try Disclosure.make(name: name, value: value)
        disclosures.append(disclosure)
        return disclosure
    }

    private mutating func reference(_ digest: String) -> JSONValue {
        var digest = digest
        if take(.kelvin), let k = digest.firstIndex(of: "K") { digest.replaceSubrange(k...k, with: "\u{212A}") }
        emitted.append(digest)
        return .string(digest)
    }

    private mutating func conceal(_ value: JSONValue, routing: Bool) throws -> JSONValue {
        switch value {
        case .object(let members):
            var output: [String: JSONValue] = [:]
            var sd: [JSONValue] = []
            for (name, member) in members {
                let inner = try conceal(member, routing: false)
                if routing ? !injected : chance(0.5) {
                    if routing { injected = true }
                    let disclosure = try disclose(name, inner)
                    sd.append(reference(disclosure.digest))
                    if take(.clearAndDisclosed) { output[name] = inner }
                    if take(.sameNameTwice) { sd.append(reference(try disclose(name, 1).digest)) }
                } else {
                    output[name] = inner
                }
            }
            for _ in 0..<Int.random(in: 0...2, using: &random) { sd.append(reference(try Disclosure.decoyDigest())) }
            if take(.repeatDigest), let earlier = emitted.randomElement(using: &random) { sd.append(.string(earlier)) }
            if take(.elementFromSD) { sd.append(reference(try disclose(nil, "element").digest)) }
            if take(.sdNotString) { sd.append(1) }
            if take(.dotsInObject) { output["..."] = reference(try Disclosure.decoyDigest()) }
            if !sd.isEmpty || chance(0.2) { output["_sd"] = .array(sd.shuffled(using: &random)) }
            if take(.sdNotArray) { output["_sd"] = "digest" }
            return .object(output)
        case .array(let elements):
            var output: [JSONValue] = []
            for element in elements {
                let inner = try conceal(element, routing: false)
                output.append(chance(0.5) ? ["...": reference(try disclose(nil, inner).digest)] : inner)
            }
            if chance(0.3) { output.append(["...": reference(try Disclosure.decoyDigest())]) }
            if take(.repeatDigest), let earlier = emitted.randomElement(using: &random) { output.append(["...": .string(earlier)]) }
            if take(.propertyFromArray) { output.append(["...": reference(try disclose("p", 1).digest)]) }
            if take(.dotsMixed) { output.append(["...": reference(try Disclosure.decoyDigest()), "y": 1]) }
            if take(.dotsNotString) { output.append(["...": 1]) }
            return .array(output.shuffled(using: &random))
        default:
            return value
        }
    }
}
