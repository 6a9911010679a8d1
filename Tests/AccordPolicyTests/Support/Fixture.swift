import AccordCrypto
import Foundation
@testable import AccordPolicy

/// A small, valid agreements directory held in memory; each validation test breaks one thing.
struct Fixture {
    var files: [String: String] = [
        "agencies.yaml": """
        agencies:
          - id: nz.a
            name: Agency A
            jurisdiction: NZ
            kind: nz-government
            child_welfare_agency: true
            certificate: urn:accord:agency:nz.a
          - id: nz.b
            name: Agency B
            jurisdiction: NZ
            kind: nz-government
            child_welfare_agency: false
            certificate: urn:accord:agency:nz.b
            endpoint: https://b.example/inbox
          - id: au.c
            name: Agency C
            jurisdiction: AU
            kind: overseas-authority
            child_welfare_agency: false
            certificate: urn:accord:agency:au.c

        """,
        "purposes.yaml": """
        purposes:
          - id: p1
            description: first purpose
          - id: p2
            description: second purpose

        """,
        "schemas/t1.yaml": """
        type: t1
        title: Type one
        claims:
          - path: x.name
            type: string
            tags: [identifier]
          - path: x.kid
            type: boolean
            tags: [child]
          - path: notes
            type: string
          - path: list[*]
            type: enum
            values: [u, v]

        """,
        "ag1.yaml": """
        id: ag1
        title: Agreement one
        version: 1
        status: active
        legal_basis:
          - instrument: Privacy Act 2020
            provision: IPP 11(1)(e)(i)
            summary: maintenance of the law
        parties: [nz.a, nz.b, au.c]
        valid_from: 2024-01-01
        valid_until: 2030-12-31
        review_by: 2027-01-01
        flows:
          - from: [nz.a]
            to: [nz.b]
            types: [t1]
            purposes: [p1]
            max_classification: SENSITIVE
            handling: H1
            disclose: [x.name, notes]
            never_disclose: [list]
          - from: [nz.a]
            to: [au.c]
            types: [t1]
            purposes: [p1]
            max_classification: IN-CONFIDENCE
            handling: H2
            ipp12_safeguard: ipp12-1c-comparable-laws
            disclose: [x.name]

        """,
    ]

    static let today = CalendarDate("2026-06-01")!

    /// Replaces `old` (which must occur) with `new` in `file`.
    func replacing(_ old: String, with new: String, in file: String) -> Fixture {
        var copy = self
        let text = files[file]!
        precondition(text.contains(old), "fixture \(file) does not contain \(old)")
        copy.files[file] = text.replacingOccurrences(of: old, with: new)
        return copy
    }

    func adding(_ file: String, _ text: String) -> Fixture {
        var copy = self
        copy.files[file] = text
        return copy
    }

    func removing(_ file: String) -> Fixture {
        var copy = self
        copy.files[file] = nil
        return copy
    }

    var sources: AgreementSources {
        func file(_ name: String) -> AgreementSources.File? {
            files[name].map { AgreementSources.File(path: "fx/\(name)", text: $0) }
        }
        let names = files.keys.sorted()
        return AgreementSources(
            directory: "fx",
            agencies: file("agencies.yaml"),
            purposes: file("purposes.yaml"),
            schemas: names.filter { $0.hasPrefix("schemas/") }.compactMap(file),
            agreements: names.filter { !$0.contains("/") && $0 != "agencies.yaml" && $0 != "purposes.yaml" }
                .compactMap(file), hashing: SHA256.Hasher.self)
    }

    func diagnostics() -> [Diagnostic] { AgreementSet.validate(sources, today: Self.today).1 }

    func load() throws(PolicyError) -> AgreementSet { try AgreementSet.load(sources, today: Self.today) }
}

/// The repository's own `Agreements/` directory.
enum Repository {
    static var agreements: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.appendingPathComponent("Agreements")
            }
        }
        fatalError("package root not found above \(#filePath)")
    }
}
