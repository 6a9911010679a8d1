import AccordCore
import AccordTestSupport
import Foundation
import Testing
@testable import AccordPolicy

/// The property language of `properties.yaml` and the exhaustive prover.
@Suite struct PropertyTests {
    /// What the prover reports, one per agreement flow, table key and claim path (nil for a
    /// property about whole deliveries).
    struct Found: Hashable {
        let agreement: AgreementID
        let flow: Int
        let key: FlowKey
        let path: String?
    }

    /// The prover against brute force: every sender, recipient, type, purpose and classification,
    /// with and without naming each agreement, on the first and last day of every agreement,
    /// decided by the engine; every delivery matching a property is a counterexample, and the
    /// prover must report exactly those.
    @Test func theProverAgreesWithBruteForceEvaluationOfTheEngine() async {
        let run = RandomRun("property prover vs brute force", cases: 100, seed: 0x9A0F)
        let cases = run.cases
        var random = RandomSets(rng: run.generator)
        var broken = 0
        var held = 0
        var mismatches = 0
        for index in 0..<cases {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            let set = random.set()
            let policy = CompiledPolicy(set)
            let properties = (0..<4).map { random.property(for: set, number: $0) }
            let deliveries = Self.everyDelivery(set, policy)
            for (property, result) in zip(properties, PropertyProver.prove(properties, over: policy)) {
                let proved = Set(result.counterexamples.map { Found(agreement: $0.agreement, flow: $0.flowNumber, key: $0.key, path: $0.path) })
                let brute = Self.counterexamples(property.never, deliveries, set)
                if proved != brute {
                    mismatches += 1
                    if mismatches <= 3 {
                        Issue.record("\(run), set \(index), \(property.never): prover only \(proved.subtracting(brute)), brute force only \(brute.subtracting(proved))")
                    }
                }
                if brute.isEmpty { held += 1 } else { broken += 1 }
            }
        }
        print("property prover vs brute force: \(held) held, \(broken) broken, \(mismatches) mismatches")
        #expect(mismatches == 0, "\(run)")
        #expect(held > cases / 10 && broken > cases / 10, "the random properties should both hold and break often (\(run))")
    }

    struct Delivered {
        let key: FlowKey
        let classification: Classification
        let delivery: Delivery
    }

    static func everyDelivery(_ set: AgreementSet, _ policy: CompiledPolicy) -> [Delivered] {
        let agencies = set.agencies.keys.sorted()
        let days = Set(set.agreements.flatMap { [$0.validFrom, $0.validUntil] })
        var out: [Delivered] = []
        for from in agencies {
            for to in agencies {
                for (type, schema) in set.schemas {
                    for purpose in set.purposes.keys {
                        for classification in Classification.allCases {
                            for named in [nil] + set.agreements.map(\.id) {
                                let message = RoutingClaims(issuer: from, type: type, recipients: [to], purpose: purpose,
                                                            classification: classification.rawValue, agreement: named)
                                for day in days {
                                    if case .deliver(let delivery) = policy.evaluate(message, claimPaths: schema.claims.map(\.path), for: to, on: day) {
                                        out.append(Delivered(key: FlowKey(from: from, to: to, type: type, purpose: purpose),
                                                             classification: classification, delivery: delivery))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The property read plainly: a delivery matches when each field given names it.
    static func counterexamples(_ never: PropertyPattern, _ deliveries: [Delivered], _ set: AgreementSet) -> Set<Found> {
        var out: Set<Found> = []
        for d in deliveries {
            let recipient = set.agencies[d.key.to]!
            if let from = never.from, !from.contains(d.key.from) { continue }
            if let to = never.to, !to.contains(d.key.to) { continue }
            if let types = never.types, !types.contains(d.key.type) { continue }
            if let purposes = never.purposes, !purposes.contains(d.key.purpose) { continue }
            if let floor = never.classificationAtLeast, d.classification < floor { continue }
            switch never.toJurisdiction {
            case .overseas: if recipient.jurisdiction == "NZ" { continue }
            case .country(let code): if recipient.jurisdiction != code { continue }
            case nil: break
            }
            guard never.tags != nil || never.paths != nil else {
                out.insert(Found(agreement: d.delivery.agreementID, flow: d.delivery.flowNumber, key: d.key, path: nil))
                continue
            }
            for path in d.delivery.disclosed {
                let claim = set.schemas[d.key.type]!.claim(at: path)!
                if let tags = never.tags, tags.intersection(claim.tags).isEmpty { continue }
                if let paths = never.paths, !paths.contains(where: { Self.glob($0, path) }) { continue }
                out.insert(Found(agreement: d.delivery.agreementID, flow: d.delivery.flowNumber, key: d.key, path: path))
            }
        }
        return out
    }

    /// `*` as any run of characters, by regular expression rather than the prover's matcher.
    static func glob(_ pattern: String, _ path: String) -> Bool {
        let expression = "^" + pattern.split(separator: "*", omittingEmptySubsequences: false)
            .map { NSRegularExpression.escapedPattern(for: String($0)) }.joined(separator: ".*") + "$"
        return path.range(of: expression, options: .regularExpression) != nil
    }

    @Test func pathPatternsMatchAsGlobs() {
        let cases: [(String, String)] = [
            ("informant.*", "informant.name"), ("informant.*", "informant"), ("informant", "informant.name"),
            ("*.address", "subject.address"), ("*.address", "employer.address"), ("*", "x"), ("indicators[*]", "indicators[*]"),
            ("s*d*e", "sde"), ("s*d*e", "s.d.e"), ("s*d*e", "sd"), ("a*a", "a"), ("a*a", "aa"), ("**", ""),
        ]
        for (pattern, path) in cases {
            #expect(PathPattern.matches(pattern, path) == Self.glob(pattern, path), "\(pattern) on \(path)")
        }
    }

    static func check(_ yaml: String, fixture: Fixture = Fixture()) throws -> PropertyCheck {
        var withProperties = fixture.sources
        withProperties.properties = AgreementSources.File(path: "fx/properties.yaml", text: yaml)
        return PropertyCheck(withProperties, set: try fixture.load())
    }

    @Test func mistakesInThePropertiesFileAreLocated() throws {
        let check = try Self.check("""
            properties:
              - name: one
                never: { tags: [kid], to: [nz.zz] }
              - name: two
                never: {}
              - name: one
                never: { paths: [nothing.*], to_jurisdiction: Australia, classification_at_least: SECRET, colour: red }
              - never: { from: [nz.a] }
            """)
        let found = check.problems.map { "\($0.location.line):\($0.location.column) \($0.check.rawValue) \($0.message)" }
        #expect(found.contains { $0.hasPrefix("3:21 invalid-property") && $0.contains("'kid'") && $0.contains("identifier, child") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("3:32 invalid-property") && $0.contains("agency 'nz.zz'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("5:12 invalid-property") && $0.contains("names nothing") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("6:11 duplicate-property") && $0.contains("already stated at fx/properties.yaml:2:5") }, "\(found)")
        #expect(found.contains { $0.contains("invalid-property") && $0.contains("matches no claim path") }, "\(found)")
        #expect(found.contains { $0.contains("to_jurisdiction 'Australia'") }, "\(found)")
        #expect(found.contains { $0.contains("classification 'SECRET'") }, "\(found)")
        #expect(found.contains { $0.contains("unknown-key") && $0.contains("'colour'") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("8:5 missing-key") && $0.contains("'name'") }, "\(found)")
        #expect(check.results.isEmpty, "nothing is proved from a file with problems")
        #expect(!check.diagnostics.isEmpty)
    }

    @Test func aPropertyHoldsOrNamesEachFlowThatBreaksIt() throws {
        let check = try Self.check("""
            properties:
              - name: names stay home
                never: { paths: ["x.*"], to_jurisdiction: overseas }
              - name: notes never leave agency A for B
                never: { from: [nz.a], to: [nz.b], paths: [notes] }
              - name: nothing SENSITIVE abroad
                never: { to_jurisdiction: AU, classification_at_least: SENSITIVE }
              - name: no lists
                never: { paths: ["list[*]"] }
            """)
        #expect(check.problems.isEmpty, "\(check.problems)")
        let byName = Dictionary(uniqueKeysWithValues: check.results.map { ($0.property.name, $0) })
        let names = try #require(byName["names stay home"])
        #expect(names.counterexamples.map(\.description) == ["agreement 'ag1' flow 2 (fx/ag1.yaml:22:5): nz.a -> au.c, t1, purpose p1, claim x.name"])
        let notes = try #require(byName["notes never leave agency A for B"])
        #expect(notes.counterexamples.map(\.path) == ["notes"] && notes.counterexamples.first?.flowNumber == 1)
        // Flow 2 to au.c carries at most IN-CONFIDENCE.
        #expect(byName["nothing SENSITIVE abroad"]?.holds == true)
        // Flow 1 never discloses `list`.
        #expect(byName["no lists"]?.holds == true)
        let diagnostics = check.diagnostics
        #expect(diagnostics.count == 2)
        #expect(diagnostics.allSatisfy { $0.check == .propertyViolated && $0.location.file == "fx/properties.yaml" })
        #expect(diagnostics.first?.description.hasPrefix("fx/properties.yaml:2:5: property 'names stay home' is broken by agreement 'ag1' flow 2") == true,
                "\(diagnostics.first?.description ?? "")")
    }
}

extension RandomSets {
    /// A property over the names `set()` uses, so that it often holds and often breaks.
    mutating func property(for set: AgreementSet, number: Int) -> AgreementProperty {
        var pattern = PropertyPattern()
        let agencies = set.agencies.keys.sorted()
        if chance(0.3) { pattern.from = subset(agencies, max: 2) }
        if chance(0.3) { pattern.to = subset(agencies, max: 2) }
        if chance(0.3) { pattern.types = subset(set.schemas.keys.sorted(), max: 2) }
        if chance(0.3) { pattern.purposes = subset(set.purposes.keys.sorted(), max: 2) }
        if chance(0.3) { pattern.toJurisdiction = chance(0.5) ? .overseas : .country(pick(["NZ", "AU"])) }
        if chance(0.3) { pattern.classificationAtLeast = pick(Classification.allCases) }
        if chance(0.4) { pattern.tags = [.child] }
        if chance(0.5) { pattern.paths = subset(Self.claimPool + ["s.*", "*kid", "n.*", "*"], max: 2) }
        return AgreementProperty(name: "p\(number)", never: pattern, location: SourceLocation(file: "properties.yaml", line: number + 2, column: 5))
    }
}
