public import AccordCore
public import AccordPolicy
import Foundation
import FuzzShared

/// The agreements directory the repository ships (Agreements/), read once, so that a target
/// can put the fuzz input among valid neighbours and the cross-file checks (agencies named by
/// agreements, schemas, purposes) run too. `oneAgreement` keeps a single agreement and no
/// properties: loading every agreement and proving properties.yaml over them for each input
/// would slow the fuzzing tenfold for no more coverage of the loaders.
public struct ShippedAgreements: Sendable {
    public let sources: AgreementSources
    public let today = CalendarDate(year: 2026, month: 6, day: 1)!

    public init(hashing: any SHA256Hashing.Type) {
        let directory = FuzzInput.repositoryRoot + "/Agreements"
        func file(_ name: String) -> AgreementSources.File {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                fatalError("the shipped agreements are not at \(directory)")
            }
            return AgreementSources.File(path: name, bytes: Array(data))
        }
        func yamlFiles(in folder: String) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/" + folder)) ?? []
            return names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder.isEmpty ? $0 : folder + "/" + $0 }
        }
        let registry: Set = ["agencies.yaml", "purposes.yaml", "properties.yaml"]
        sources = AgreementSources(
            directory: directory, agencies: file("agencies.yaml"), purposes: file("purposes.yaml"),
            schemas: yamlFiles(in: "schemas").map(file), agreements: yamlFiles(in: "").filter { !registry.contains($0) }.map(file),
            properties: file("properties.yaml"), hashing: hashing
        )
    }

    public var oneAgreement: AgreementSources {
        var sources = sources
        sources.agreements = Array(sources.agreements.prefix(1))
        sources.properties = nil
        return sources
    }
}
