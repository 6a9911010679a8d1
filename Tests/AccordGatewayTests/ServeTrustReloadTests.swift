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
        // The directory is looked at hourly here, so only the command and the signal reload it.
        let served = try ServedGateway("serve-trust", yaml: "trust: {check_seconds: 3600}")
        defer { served.remove() }
        let (pki, config, accord) = (served.pki, served.config, served.accord)
        let server = try served.start()
        func curl(_ agency: String) async throws -> Int32 {
            try await served.curl(as: agency).status
        }
        guard try await served.waitUntilServing(server) else {
            kill(server.processIdentifier, SIGKILL)
            return
        }

        let unchanged = try await ExternalProcess.run(accord, ["certificates", "reload", "--config", config.path])
        #expect(unchanged.status == 0 && unchanged.standardOutput.contains("unchanged"), "\(unchanged.standardOutput)\(unchanged.standardError)")

        let police = try Certificate(pem: String(contentsOf: pki.agencyTLSCertificate("nz.police"), encoding: .utf8)).serialNumberHex
        try TrustReloadTests.publishCRL(pki, revoking: [police])
        let reloaded = try await ExternalProcess.run(accord, ["certificates", "reload", "--config", config.path])
        #expect(reloaded.status == 0 && reloaded.standardOutput.contains("reloaded"), "\(reloaded.standardOutput)\(reloaded.standardError)")
        #expect(try await curl("nz.police") != 0)
        #expect(try await curl("nz.customs") == 0)

        // A fresh CRL without the entry, and SIGHUP by hand: Police is back.
        try TrustReloadTests.publishCRL(pki, revoking: [])
        kill(server.processIdentifier, SIGHUP)
        #expect(await eventuallyHolds(within: .seconds(30)) { try await curl("nz.police") == 0 }, "SIGHUP did not reload the CRL")

        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
    }

    /// A TLS key replaced without its certificate: the command refuses the pair before it
    /// signals anything, naming what does not match, and the gateway goes on with the pair in force.
    @Test func aKeyThatDoesNotMatchItsCertificateIsRefusedBeforeTheGatewayIsSignalled() async throws {
        let served = try ServedGateway("serve-trust-key", yaml: "trust: {check_seconds: 3600}")
        defer { served.remove() }
        let server = try served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try #require(try await served.waitUntilServing(server))

        try PrivateKey.generate(.es256).pemPKCS8().write(to: served.pki.gatewayTLSKey, atomically: true, encoding: .utf8)
        let refused = try await ExternalProcess.run(served.accord, ["certificates", "reload", "--config", served.config.path])
        #expect(refused.status != 0 && refused.standardError.contains("tls-key.pem is not the key of the first certificate in") && !refused.standardOutput.contains("unchanged"),
                "\(refused.standardOutput)\(refused.standardError)")
        #expect(!server.standardErrorSoFar.contains("trust reload"), "the gateway was signalled: \(server.standardErrorSoFar)")
        #expect(try await served.curl(as: "nz.police").status == 0, "the gateway stopped serving with the pair in force")
        kill(server.processIdentifier, SIGTERM)
        let exit = await server.finish()
        #expect(exit.status == 0, "\(exit.standardError)")
    }
}
