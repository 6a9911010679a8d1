import AccordCore
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing
@testable import AccordPolicy
import AccordPolicyFiles

@Suite struct ExplainTests {
    static let json = """
    {"iss": "nz.a", "jti": "j1", "iat": 1, "exp": 2, "cnf": {"jwk": {}},
     "accord": {"type": "t1", "to": ["nz.b"], "purpose": "p1", "classification": "IN-CONFIDENCE", "case_ref": "C-1"},
     "x": {"name": "SECRET-NAME-VALUE", "kid": true}, "list": ["u", "v"], "notes": "SECRET-NOTE", "extra": {}}
    """

    @Test func jsonMessagesYieldPathsNotValues() throws {
        let m = try MessageJSON.read(Data(Self.json.utf8))
        #expect(m.routing.issuer == "nz.a")
        #expect(m.routing.recipients == ["nz.b"])
        #expect(m.routing.caseReference == "C-1")
        #expect(m.routing.agreement == nil)
        #expect(m.claimPaths == ["extra", "list[*]", "notes", "x.kid", "x.name"])
    }

    @Test func malformedMessagesAreRefused() {
        #expect(throws: PolicyError.self) { try MessageJSON.read(Data("[1]".utf8)) }
        #expect(throws: PolicyError.self) { try MessageJSON.read(Data(#"{"iss": "nz.a", "accord": {"type": "t1"}}"#.utf8)) }
    }

    @Test func explanationLinesNameTheRuleAndNeverAValue() throws {
        let set = try Fixture().load()
        let m = try MessageJSON.read(Data(Self.json.utf8))
        let lines = ReferenceEvaluator(set: set).explain(m, for: "nz.b", on: Fixture.today).lines(in: set)
        let text = lines.joined(separator: "\n")
        #expect(lines.first == "decision: deliver")
        #expect(text.contains("agreement: ag1 version 1"))
        #expect(text.contains("flow: 1 at fx/ag1.yaml:"))
        #expect(lines.contains { $0.contains("x.name") && $0.contains("disclosed") && $0.contains("disclose: x.name") })
        #expect(lines.contains { $0.contains("list[*]") && $0.contains("withheld (never-disclosed)") })
        #expect(lines.contains { $0.contains("x.kid") && $0.contains("withheld (not-in-flow)") })
        #expect(!text.contains("SECRET"))
        let denied = ReferenceEvaluator(set: set).explain(m, for: "au.c", on: Fixture.today).lines(in: set)
        #expect(denied == ["decision: deny (recipient-not-addressed)", "why: 'au.c' is not among the message's recipients"])
    }
}

/// The loader meets damaged files: random byte edits of the shipped agreements must give
/// diagnostics or a valid set, never a crash, and every diagnostic must carry a position.
@Suite struct LoaderRobustnessTests {
    @Test func randomlyDamagedFilesNeverCrashTheLoader() async throws {
        let shipped = try AgreementSources.read(directory: Repository.agreements, hashing: SHA256.Hasher.self)
        let run = RandomRun("loader robustness", cases: 100, seed: 0x5EED)
        var rng = run.generator
        let alphabet = Array(":-[]{}#&*!|>'\"%@` \n\tabcXYZ019.".utf8)
        var rejected = 0
        let rounds = run.cases
        for _ in 0..<rounds {
            await Task.yield()  // a CPU-bound loop must not hold a cooperative thread (docs/testing.md)
            var sources = shipped
            let index = Int.random(in: 0..<sources.agreements.count, using: &rng)
            var bytes = sources.agreements[index].bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
            }
            sources.agreements[index] = AgreementSources.File(path: sources.agreements[index].path, bytes: bytes)
            let (set, diagnostics) = AgreementSet.validate(sources, today: CalendarDate("2026-06-01")!)
            #expect((set == nil) == !diagnostics.isEmpty, "\(run)")
            if set == nil { rejected += 1 }
            for diagnostic in diagnostics {
                #expect(diagnostic.location.line >= 1, "\(diagnostic) (\(run))")
            }
        }
        print("loader robustness: \(rounds) damaged sets, \(rejected) rejected")
        #expect(rejected > rounds / 2, "\(run)")
    }
}
