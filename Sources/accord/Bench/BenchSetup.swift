import Foundation

/// What a gateway needs to take the bench's load: an agreements directory (the shipped set plus
/// one bench-only agreement, so that a message can go to four recipients) and an `accord.yaml`
/// with limits raised far above any load one machine can send.
struct BenchSetup {
    let directory: URL

    var configuration: URL { directory.appendingPathComponent("accord.yaml") }
    var agreements: URL { directory.appendingPathComponent("Agreements") }
    var database: URL { directory.appendingPathComponent("accord.sqlite") }
    var gatewayLog: URL { directory.appendingPathComponent("gateway.log") }

    /// Copies `shippedAgreements` and adds the bench-only agreement; writes the configuration.
    func write(shippedAgreements: URL, pki: URL, listen: String) throws {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        if files.fileExists(atPath: agreements.path) { try files.removeItem(at: agreements) }
        try files.copyItem(at: shippedAgreements, to: agreements)
        try Self.benchAgreement.write(to: agreements.appendingPathComponent("bench-customs-labour-fanout.yaml"), atomically: true, encoding: .utf8)
        let yaml = """
            # Written by `accord bench`: a throwaway gateway for load measurement.
            listen: "\(listen)"
            console:
              enabled: false
            operations:
              listen: "off"
            paths:
              agreements: "\(agreements.path)"
              certificates: "\(pki.standardizedFileURL.path)"
              database: "\(database.path)"
            limits:
              requests_per_second: 1000000
              burst: 1000000
              max_connections_per_agency: 100000
              max_unauthenticated_per_source: 100000
            log_level: warning

            """
        try yaml.write(to: configuration, atomically: true, encoding: .utf8)
    }

    /// Not a real agreement: it exists so that one indicator report from Customs has a fourth
    /// permitted recipient (with Immigration NZ, Police and ABF under the shipped agreements).
    static let benchAgreement = """
        id: bench-customs-labour-fanout
        title: Benchmark only - NZ Customs indicator reports to the Labour Inspectorate (not a real agreement)
        version: 1
        status: active
        legal_basis:
          - instrument: Benchmark fixture
            provision: none
            summary: Written by accord bench into a throwaway directory so that a message can have four recipients; never shipped.
        parties: [nz.customs, nz.mbie-labour]
        valid_from: 2024-01-01
        valid_until: 2030-12-31
        review_by: 2029-12-31
        flows:
          - from: [nz.customs]
            to: [nz.mbie-labour]
            types: [indicator-report]
            purposes: [border-security]
            max_classification: SENSITIVE
            handling: H2
            disclose:
              - indicators[*]
              - observed_on
              - location.region
              - workplace.industry
              - employer.name
              - narrative
            never_disclose:
              - informant

        """
}
