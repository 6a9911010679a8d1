import AccordAudit
import AccordCrypto
import AccordPolicy
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `accord serve` as a process, its trust replaced the two ways an administrator does it:
/// `accord certificates reload`, and SIGHUP sent by hand. Checked with curl.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct ServeTrustReloadTests {
    @Test func aCRLIsPublishedAndLoadedWithoutARestart() async throws {
        let directory = try PackageRoot.temporaryDirectory("serve-trust")
        defer { try? FileManager.default.removeItem(at: directory) }
        let agreements = PackageRoot.url.appendingPathComponent("Agreements")
        let set = try ActivePolicy(directory: agreements, today: CalendarDate(Date())).current.policy.set
        let pki = DevelopmentPKI(directory: directory.appendingPathComponent("certs"))
        _ = try pki.ensure(agencies: set.agencies.values.map { DevelopmentPKI.Agency(id: $0.id, name: $0.name) }.sorted { $0.id < $1.id })
        let port = try FreePort.find()
        let config = directory.appendingPathComponent("accord.yaml")
        // The directory is looked at hourly here, so only the command and the signal reload it.
        try """
            listen: 127.0.0.1:\(port)
            console: {enabled: false}
            operations: {listen: "off"}
            trust: {check_seconds: 3600}
            paths: {agreements: \(agreements.path), certificates: \(pki.directory.path), database: \(directory.appendingPathComponent("accord.sqlite").path)}
            """.write(to: config, atomically: true, encoding: .utf8)
        let accord = PackageRoot.accordExecutable.path
        let server = try BackgroundProcess(accord, ["serve", "--config", config.path])
        func curl(_ agency: String) async throws -> Int32 {
            try await ExternalProcess.runDetached("curl", [
                "--silent", "--max-time", "5", "--cacert", pki.caCertificate.path, "--cert", pki.agencyTLSCertificate(agency).path,
                "--key", pki.agencyTLSKey(agency).path, "https://localhost:\(port)/healthz",
            ]).status
        }
        var started = false
        for _ in 0..<100 where !started {
            started = try await curl("nz.police") == 0
            if !started { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard started else {
            kill(server.processIdentifier, SIGKILL)
            Issue.record("accord serve did not start: \(await server.finish().standardError)")
            return
        }

        let unchanged = try await ExternalProcess.runDetached(accord, ["certificates", "reload", "--config", config.path])
        #expect(unchanged.status == 0 && unchanged.standardOutput.contains("unchanged"), "\(unchanged.standardOutput)\(unchanged.standardError)")

        let police = try Certificate(pem: String(contentsOf: pki.agencyTLSCertificate("nz.police"), encoding: .utf8)).serialNumberHex
        try TrustReloadTests.publishCRL(pki, revoking: [police])
        let reloaded = try await ExternalProcess.runDetached(accord, ["certificates", "reload", "--config", config.path])
        #expect(reloaded.status == 0 && reloaded.standardOutput.contains("reloaded"), "\(reloaded.standardOutput)\(reloaded.standardError)")
        #expect(try await curl("nz.police") != 0)
        #expect(try await curl("nz.customs") == 0)

        // A fresh CRL without the entry, and SIGHUP by hand: Police is back.
        try TrustReloadTests.publishCRL(pki, revoking: [])
        kill(server.processIdentifier, SIGHUP)
        var back = false
        for _ in 0..<100 where !back {
            back = try await curl("nz.police") == 0
            if !back { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(back, "SIGHUP did not reload the CRL")

        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
    }
}
