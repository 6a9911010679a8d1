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
        try await ExternalProcess.run("curl", [
            "--silent", "--max-time", "\(maxTime)", "--cacert", pki.caCertificate.path, "--cert", pki.agencyTLSCertificate(agency).path,
            "--key", pki.agencyTLSKey(agency).path, "https://localhost:\(port)\(path)",
        ])
    }

    /// Waits until the gateway `server` answers; records an issue, with what it wrote to
    /// standard error, if it exits first or has not answered within `timeout`. A loaded machine
    /// running the whole suite can take many seconds to start one, hence the long default.
    @discardableResult
    func waitUntilServing(_ server: BackgroundProcess, within timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await curl(maxTime: 2).status == 0 { return true }
            guard server.isRunning else {
                Issue.record("accord serve exited before it answered on port \(port): \(server.standardErrorSoFar)")
                return false
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Once more past the deadline: a sleep on a loaded machine can overshoot it by seconds.
        if try await curl(maxTime: 2).status == 0 { return true }
        Issue.record("accord serve did not answer on port \(port) within \(timeout): \(server.standardErrorSoFar)")
        return false
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
