import AccordAudit
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// Issue 21: `accord witness` serves TLS with a certificate from its operator's PKI, and the
/// gateway trusts only the CA pinned for it in `log.witnesses`: pinned to another CA (here the
/// gateway's own development CA, which the system would not trust either) it gets no
/// cosignature and says why; pinned to the right one, the witness cosigns. Plain HTTP is only
/// ever served when asked for by name.
@Suite(.serialized, .needs("curl", fromPackage: "curl"), .needs("openssl", fromPackage: "openssl")) struct WitnessTLSTests {
    @Test func theGatewayReachesItsWitnessOverTLSOnlyThroughThePinnedCA() async throws {
        let witnessDirectory = try PackageRoot.temporaryDirectory("witness-tls")
        defer { try? FileManager.default.removeItem(at: witnessDirectory) }
        let witness = try await WitnessProcess(directory: witnessDirectory, name: "witness.test", tls: true)
        func yaml(pinning ca: String) -> String {
            [
                "audit: {checkpoint_interval_seconds: 1}", "log:", "  witness_interval_milliseconds: 200", "  witnesses:",
                "    - {name: witness.test, url: \"\(witness.url)\", key: \"\(witness.verifierKey)\", ca: \(ca)}",
            ].joined(separator: "\n")
        }
        let served = try ServedGateway("witness-tls")
        defer { served.remove() }
        let base = try String(contentsOf: served.config, encoding: .utf8)
        func configure(pinning ca: String) throws {
            try (base + "\n" + yaml(pinning: ca) + "\n").write(to: served.config, atomically: true, encoding: .utf8)
        }
        let logKey = try auditVerifierKey(served.pki)

        // Neither TLS nor plain HTTP asked for: the witness does not start.
        let unsaid = try await ExternalProcess.run(served.accord, [
            "witness", "--listen", "127.0.0.1:\(witness.port)", "--key", witness.key.path, "--name", witness.name, "--log-key", logKey,
            "--state", witness.state.path,
        ])
        #expect(unsaid.status != 0 && unsaid.standardError.contains("--tls-cert"), "\(unsaid.standardError)")

        let witnessProcess = try await witness.start(following: logKey)
        defer { kill(witnessProcess.processIdentifier, SIGKILL) }
        let http = try await ExternalProcess.run("curl", ["--silent", "--max-time", "2", "http://127.0.0.1:\(witness.port)/livez"])
        #expect(http.standardOutput != "ok\n", "the TLS witness answered plain HTTP")

        try configure(pinning: served.pki.caCertificate.path)
        var gateway = try await served.startServing()
        defer { kill(gateway.processIdentifier, SIGKILL) }
        try await served.sendReferrals(1)
        let refused = await eventually(timeout: .seconds(60)) { Self.failures(gateway.standardErrorSoFar) >= 2 }
        #expect(refused, "the gateway never failed to reach a witness whose CA it does not pin: \(gateway.standardErrorSoFar)")
        #expect(gateway.standardErrorSoFar.contains("certificate"), "the failure does not say it was the certificate: \(gateway.standardErrorSoFar)")
        #expect(try witness.cosignedSize() == nil, "the witness cosigned for a gateway that does not trust it")
        await served.stopServing(gateway)

        try configure(pinning: witness.ca.path)
        gateway = try await served.startServing()
        try await served.sendReferrals(1)
        let size = try await served.leafCount()
        let cosigned = await eventually(timeout: .seconds(60)) { (try? witness.cosignedSize()).map { $0 >= size } ?? false }
        #expect(cosigned, "the witness never cosigned over TLS: \(gateway.standardErrorSoFar)")
        #expect(Self.failures(gateway.standardErrorSoFar) == 0, "\(gateway.standardErrorSoFar)")
        await served.stopServing(gateway)
    }

    static func failures(_ log: String) -> Int {
        log.components(separatedBy: "cannot reach witness").count - 1
    }
}
