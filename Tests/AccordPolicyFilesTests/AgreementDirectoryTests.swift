import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import AccordTestSupport
import Foundation
import Testing

/// Reading an agreements directory as `accord agreements check` and the gateway do: which files
/// become which sources, and that a problem is still reported at its `file:line:column`.
@Suite struct AgreementDirectoryTests {
    /// A copy of the shipped `Agreements/`, so that a test can change a file.
    static func copyOfShippedAgreements() throws -> URL {
        let directory = try PackageRoot.temporaryDirectory("policy-files").appendingPathComponent("Agreements")
        try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: directory)
        return directory
    }

    static func remove(_ directory: URL) {
        try? FileManager.default.removeItem(at: directory.deletingLastPathComponent())
    }

    @Test func readsTheRegistrySchemasAndAgreementsButNotScenariosOrOtherFiles() throws {
        let directory = try Self.copyOfShippedAgreements()
        defer { Self.remove(directory) }
        try Data("not yaml".utf8).write(to: directory.appendingPathComponent("README.txt"))
        let listed = { (sub: String) in
            try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(sub).path)
                .filter { $0.hasSuffix(".yaml") }.sorted()
        }

        let sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self)

        let shown = directory.path
        #expect(sources.directory == shown)
        #expect(sources.agencies?.path == "\(shown)/agencies.yaml")
        #expect(sources.purposes?.path == "\(shown)/purposes.yaml")
        #expect(sources.schemas.map(\.path) == (try listed("schemas")).map { "\(shown)/schemas/\($0)" })
        #expect(sources.properties?.path == "\(shown)/properties.yaml")
        let agreements = try listed("").filter { !["agencies.yaml", "purposes.yaml", "properties.yaml"].contains($0) }
        #expect(!agreements.isEmpty)
        #expect(sources.agreements.map(\.path) == agreements.map { "\(shown)/\($0)" })
        let purposes = try Data(contentsOf: directory.appendingPathComponent("purposes.yaml"))
        #expect(sources.purposes?.bytes == Array(purposes))
        #expect(try AgreementSet.load(sources, today: CalendarDate("2026-06-01")!).agreements.count == agreements.count)
    }

    @Test func aProblemIsReportedAtItsFileLineAndColumn() throws {
        let directory = try Self.copyOfShippedAgreements()
        defer { Self.remove(directory) }
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "agencies.yaml" && $0 != "purposes.yaml" }.sorted().first)
        let file = directory.appendingPathComponent(name)
        var lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
        let index = try #require(lines.firstIndex { $0.hasPrefix("valid_from: ") })
        lines[index] = "valid_from: 2023-02-30"
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)

        let sources = try AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self)
        let (set, diagnostics) = AgreementSet.validate(sources, today: CalendarDate("2026-06-01")!)

        #expect(set == nil)
        let problem = try #require(diagnostics.first { $0.check == .invalidDate })
        #expect(problem.location.description == "\(directory.path)/\(name):\(index + 1):\("valid_from: ".count + 1)")
    }

    @Test func aPathThatIsNotADirectoryIsRefusedByName() throws {
        let directory = try Self.copyOfShippedAgreements()
        defer { Self.remove(directory) }
        let file = directory.appendingPathComponent("agencies.yaml")
        let missing = directory.appendingPathComponent("no-such-directory")

        for path in [file, missing] {
            let error = #expect(throws: PolicyError.self) { try AgreementSources.read(directory: path, hashing: SHA256.Hasher.self) }
            #expect(error?.code == .unreadableSource)
            #expect(error?.description.contains("\(path.path): not a directory") == true)
        }
    }

    @Test func anActivePolicyFromADirectoryDecidesOnTheSetItRead() throws {
        let directory = try Self.copyOfShippedAgreements()
        defer { Self.remove(directory) }
        let today = CalendarDate("2026-06-01")!

        let policy = try ActivePolicy(directory: directory, today: today, hashing: SHA256.Hasher.self)

        let set = try AgreementSet.load(AgreementSources.read(directory: directory, hashing: SHA256.Hasher.self), today: today)
        #expect(policy.current.policy.set.agreements.map(\.id) == set.agreements.map(\.id))
        #expect(policy.current.generation == 1)
    }
}
