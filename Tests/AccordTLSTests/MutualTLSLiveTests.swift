import AccordCrypto
import AccordTestSupport
import AccordTLS
import Foundation
import NIOCore
import Testing

/// The TLS layer over real sockets with real clients: curl, openssl s_client, Python's ssl.
@Suite(.serialized) struct MutualTLSLiveTests {
    func curl(_ port: Int, _ fixture: TLSFixture, certificate: String?, key: String?, path: String = "whoami", extra: [String] = []) async throws -> ExternalProcess.Output {
        var arguments = ["--silent", "--show-error", "--max-time", "60", "--cacert", fixture.pki.caCertificate.path]
        if let certificate, let key { arguments += ["--cert", certificate, "--key", key] }
        return try await ExternalProcess.run("curl", arguments + extra + ["https://localhost:\(port)/\(path)"])
    }

    @Test(.needs("curl", fromPackage: "curl")) func curlWithAnAgencyCertificateIsIdentified() async throws {
        let fixture = try TLSFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let police = try await curl(port, fixture, certificate: fixture.pki.agencyTLSCertificate("nz.police").path, key: fixture.pki.agencyTLSKey("nz.police").path)
            #expect(police.status == 0, "\(police.standardError)")
            #expect(police.standardOutput == "nz.police TLSv1.3 http/1.1")
            let customs = try await curl(port, fixture, certificate: fixture.pki.agencyTLSCertificate("nz.customs").path, key: fixture.pki.agencyTLSKey("nz.customs").path)
            #expect(customs.standardOutput.hasPrefix("nz.customs "))

            // A request body larger than one TLS record crosses the layer intact.
            let payload = String(repeating: "kia ora ", count: 8_000)
            let echoed = try await curl(port, fixture, certificate: fixture.pki.agencyTLSCertificate("nz.police").path, key: fixture.pki.agencyTLSKey("nz.police").path,
                                        path: "echo", extra: ["--data-binary", payload])
            #expect(echoed.standardOutput.utf8.count == payload.utf8.count)
            #expect(echoed.standardOutput == payload, "echoed body differs from what was sent")
        }
    }

    @Test(.needs("curl", fromPackage: "curl")) func curlIsRefusedInTheHandshakeWithoutAGoodCertificate() async throws {
        let fixture = try TLSFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let none = try await curl(port, fixture, certificate: nil, key: nil)
            #expect(none.status != 0 && none.standardOutput.isEmpty)
            for name in ["other-ca", "revoked", "expired", "no-agency"] {
                let (certificate, key) = fixture.bad(name)
                let refused = try await curl(port, fixture, certificate: certificate, key: key)
                #expect(refused.status != 0, "\(name) was accepted")
                #expect(refused.standardOutput.isEmpty, "\(name) got a response")
                // The alert reaches the client: curl names a TLS alert rather than a bare reset.
                #expect(refused.standardError.contains("alert"), "\(name): \(refused.standardError)")
            }
        }
    }

    @Test(.needs("openssl", fromPackage: "openssl")) func opensslSClientSeesTLS13MutualAuthAndALPN() async throws {
        let fixture = try TLSFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            // -ign_eof: without it s_client ends the connection as soon as its input runs out,
            // before any response arrives (it does the same against openssl s_server -www).
            let ok = try await ExternalProcess.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(port)", "-servername", "localhost", "-CAfile", fixture.pki.caCertificate.path,
                "-cert", fixture.pki.agencyTLSCertificate("nz.police").path, "-key", fixture.pki.agencyTLSKey("nz.police").path,
                "-alpn", "http/1.1", "-verify_return_error", "-brief", "-ign_eof",
            ], input: "GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let transcript = ok.standardOutput + ok.standardError
            #expect(transcript.contains("Protocol version: TLSv1.3"), "\(transcript)")
            #expect(transcript.contains("nz.police TLSv1.3 http/1.1"), "\(transcript)")

            let tls12 = try await ExternalProcess.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-CAfile", fixture.pki.caCertificate.path,
                "-cert", fixture.pki.agencyTLSCertificate("nz.police").path, "-key", fixture.pki.agencyTLSKey("nz.police").path, "-brief",
            ], input: "")
            #expect(tls12.status != 0, "TLS 1.2 accepted by a TLS 1.3-only listener")

            let h2Only = try await ExternalProcess.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", fixture.pki.caCertificate.path, "-alpn", "h2",
                "-cert", fixture.pki.agencyTLSCertificate("nz.police").path, "-key", fixture.pki.agencyTLSKey("nz.police").path, "-brief",
            ], input: "")
            #expect((h2Only.standardOutput + h2Only.standardError).contains("no application protocol"), "\(h2Only.standardError)")
        }
    }

    @Test(.needs("openssl", fromPackage: "openssl")) func tls12OnlyWhereConfigured() async throws {
        let fixture = try TLSFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext(minimumVersion: .tls12)) { port in
            let tls12 = try await ExternalProcess.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-CAfile", fixture.pki.caCertificate.path,
                "-cert", fixture.pki.agencyTLSCertificate("nz.police").path, "-key", fixture.pki.agencyTLSKey("nz.police").path, "-brief", "-ign_eof",
            ], input: "GET /whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let transcript = tls12.standardOutput + tls12.standardError
            #expect(transcript.contains("Protocol version: TLSv1.2"), "\(transcript)")
            #expect(transcript.contains("nz.police TLSv1.2"), "\(transcript)")
        }
    }

    @Test(.needsPython) func pythonSSLClientAndSilentClientTimeout() async throws {
        let fixture = try TLSFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext(handshakeTimeout: .milliseconds(500))) { port in
            let output = try await ExternalProcess.python("tls_client.py", [
                "\(port)", fixture.pki.caCertificate.path,
                fixture.pki.agencyTLSCertificate("nz.police").path, fixture.pki.agencyTLSKey("nz.police").path,
            ])
            #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
            #expect(output.standardOutput.contains("whoami: nz.police TLSv1.3 http/1.1"), "\(output.standardOutput)")
            #expect(output.standardOutput.contains("no-certificate: refused"), "\(output.standardOutput)")
            #expect(output.standardOutput.contains("silent: closed by server"), "\(output.standardOutput)")
            #expect(output.standardOutput.contains("close_notify: answered"), "\(output.standardOutput)")
        }
    }
}
