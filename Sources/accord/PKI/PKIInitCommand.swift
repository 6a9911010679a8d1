import AccordCrypto
import ArgumentParser
import Foundation

/// `accord pki init`: makes or completes the development PKI for every agency in the registry.
struct PKIInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a development CA, gateway keys, a certificate pair for each agency in the registry, and console operator certificates.",
        discussion: """
            Keeps what exists and is valid; renews what is missing or close to expiry. Private keys are
            written with mode 0600 and are git-ignored. Production deployments put their own CA's
            certificates in Certificates/ instead (see Certificates/README.md).

            Console operators (one per role: officer, admin, auditor) get a TLS client certificate
            under operators/<name>/ and <name>.p12 for a browser, password "\(DevelopmentPKI.developmentPKCS12Password)"
            (see docs/console.md).
            """
    )

    @Option(help: "Directory for the development PKI.")
    var dir = "Certificates/dev"

    @Option(help: "The agency registry naming the agencies to issue certificates for.")
    var agencies = "Agreements/agencies.yaml"

    @Option(help: "The country of the gateway the PKI is for (ISO 3166-1 alpha-2); names its CA apart from other jurisdictions' CAs.")
    var jurisdiction = "NZ"

    @Flag(help: "Replace everything, including the CA.")
    var force = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        let registry = try AgencyRegistryFile.load(path: agencies)
        guard jurisdiction.count == 2, jurisdiction.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError("--jurisdiction '\(jurisdiction)' must be an ISO 3166-1 alpha-2 country code such as NZ or AU")
        }
        var pki = DevelopmentPKI(directory: URL(fileURLWithPath: dir))
        pki.jurisdiction = jurisdiction
        let report = try pki.ensure(agencies: registry.map { .init(id: $0.id, name: $0.name) }, operators: DevelopmentPKI.Operator.development, force: force)
        guard !quiet else { return }
        let created = report.filter { $0.outcome != .kept }.count
        print("Development PKI in \(dir): \(created) file(s) written, \(report.count - created) kept, \(registry.count) agencies.")
        for entry in report where entry.outcome != .kept {
            print("  \(entry.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.path)")
        }
        print("Console operators: \(DevelopmentPKI.Operator.development.map { pki.operatorPKCS12($0.name).path }.joined(separator: ", ")) (password \(DevelopmentPKI.developmentPKCS12Password))")
        print("Check an agency certificate: openssl verify -CAfile \(pki.caCertificate.path) -purpose sslclient \(pki.agencyTLSCertificate(registry.first?.id ?? "nz.police").path)")
    }
}
