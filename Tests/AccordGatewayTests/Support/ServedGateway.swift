import AccordCore
import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import AccordTestSupport
import Foundation
import Testing

/// What `accord serve` needs to run as a test's child process: a fresh directory with a
/// development PKI for the registry of `agreements`, a free loopback port, a database, and an
/// accord.yaml naming them. The console is off; the operations listener too unless asked for.
struct ServedGateway {
    let directory: URL
    let agreements: URL
    let pki: DevelopmentPKI
    let port: Int
    let database: String
    let config: URL
    var accord: String { PackageRoot.accordExecutable.path }

    /// `agreements` makes the agreements directory inside the new one (default: a copy of the
    /// shipped agreements, in force today whatever the date); `yaml` adds lines to accord.yaml.
    init(_ label: String, agreements: ((URL) throws -> URL)? = nil, operations: String = "\"off\"", yaml extra: String = "") throws {
        directory = try PackageRoot.temporaryDirectory(label)
        self.agreements = try agreements?(directory) ?? AgreementsInForce.copy(into: directory.appendingPathComponent("in-force"))
        let set = try ActivePolicy(directory: self.agreements, today: CalendarDate(Date()), hashing: SHA256.Hasher.self).current.policy.set
        pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        _ = try pki.ensure(agencies: set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id.rawValue, name: $0.name) }.sorted { $0.id < $1.id })
        port = try FreePort.find()
        database = directory.appendingPathComponent("accord.sqlite").path
        config = directory.appendingPathComponent("accord.yaml")
        try """
            listen: 127.0.0.1:\(port)
            console: {enabled: false}
            operations: {listen: \(operations)}
            paths: {agreements: \(self.agreements.path), certificates: \(pki.directory.path), database: \(database)}
            \(extra)
            """.write(to: config, atomically: true, encoding: .utf8)
    }

    /// `accord serve --config` as a child process.
    func start() throws -> BackgroundProcess {
        try BackgroundProcess(accord, ["serve", "--config", config.path])
    }

    /// curl as nz.police against `path`; its exit status (0 once the gateway answers).
    func curl(_ path: String = "/healthz", as agency: String = "nz.police", maxTime: Int = 5) async throws -> ExternalProcess.Output {
        try await ExternalProcess.runDetached("curl", [
            "--silent", "--max-time", "\(maxTime)", "--cacert", pki.caCertificate.path, "--cert", pki.agencyTLSCertificate(agency).path,
            "--key", pki.agencyTLSKey(agency).path, "https://localhost:\(port)\(path)",
        ])
    }

    /// Waits up to 10 s for the gateway to answer; records an issue if it never does.
    @discardableResult
    func waitUntilServing() async throws -> Bool {
        for _ in 0..<100 {
            if try await curl(maxTime: 2).status == 0 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("accord serve did not start on port \(port)")
        return false
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
