import AccordClient
import AccordCrypto
import AccordTestSupport
import Foundation
import Testing

/// The client against a server that is not Accord's: Python's `ssl`, which reports what
/// arrived on the wire (SNI, ALPN, version, the client certificate, close_notify).
@Suite(.serialized, .needsPython) struct ClientInteropTests {
    @Test func pythonServerSeesSNIALPNTheCertificateAndCloseNotify() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        let server = try BackgroundProcess(await PythonEnvironment.interpreter(), [
            PackageRoot.url.appendingPathComponent("Tests/Interop/tls_server.py").path,
            fixture.pki.caCertificate.path, fixture.pki.gatewayTLSCertificate.path, fixture.pki.gatewayTLSKey.path, "2",
        ])
        guard let line = await server.readLine(), let port = Int(line) else {
            let output = await server.finish()
            Issue.record("the Python server did not start: \(output.standardError)")
            return
        }

        // A DNS name is sent as SNI; the agency's certificate is presented; ALPN http/1.1.
        let byName = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: port, context: fixture.agencyContext(serverName: "localhost"))
        for _ in 0..<3 {
            let seen = try await byName.request(method: "GET", path: "/")
            #expect(seen.bodyText == "sni=localhost alpn=http/1.1 version=TLSv1.3 client=urn:accord:agency:nz.police")
        }
        await byName.close()

        // An IP literal is checked against the certificate's addresses and never sent as SNI.
        let byAddress = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: port, context: fixture.agencyContext("nz.customs", serverName: "127.0.0.1"))
        let seen = try await byAddress.request(method: "GET", path: "/")
        #expect(seen.bodyText == "sni=None alpn=http/1.1 version=TLSv1.3 client=urn:accord:agency:nz.customs")
        await byAddress.close()

        let output = await server.finish()
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("0: close_notify"), "\(output.standardOutput)")
        #expect(output.standardOutput.contains("1: close_notify"), "\(output.standardOutput)")
    }
}
