import AccordClient
import AccordCrypto
import AccordGateway
import AccordTLS
import AccordTestSupport
import Foundation
import Testing

@testable import AccordServer

/// The gateway-wide connection cap (`limits.max_connections`), split between the listeners,
/// over real sockets: connections over a listener's share are closed at accept, before any
/// handshake, and the gateway keeps serving the connections it holds.
@Suite(.serialized) struct ConnectionCapTests {
    @Test(.needsPython, .needs("openssl", fromPackage: "openssl"), .needs("curl", fromPackage: "curl"))
    func connectionsOverTheCapAreClosedAtAcceptOnBothListeners() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.maxConnections = 3
        limits.consoleConnections = 1
        limits.maxConnectionsPerAgency = 3
        // The Python client runs while three connections are held open: its environment is made
        // first, so that a first-time install cannot outlast the gateway's idle timeout on them
        // (which closed them and let the fourth connection in).
        _ = try await PythonEnvironment.interpreter()
        let gateway = try await LiveGateway.start(limits: limits, console: true)
        try await gateway.closing {
            let consolePort = try #require(gateway.consolePort)
            let context = try TLSContext.agencyClient(pkiDirectory: gateway.pki.directory, agency: "nz.police", serverName: "localhost")
            // Three connections, two to the API and one to the console: each listener's share is full.
            let first = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            let second = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            let console = try await AccordHTTPConnection.connect(host: "localhost", port: consolePort, context: context)
            #expect(try await first.request(method: "GET", path: "/healthz").status == 200)
            #expect(try await second.request(method: "GET", path: "/healthz").status == 200)
            _ = try await console.request(method: "GET", path: "/")

            // A fourth is closed at once, before it sends a byte: no handshake was begun.
            let silent = try await ExternalProcess.python("silent_connect.py", ["\(gateway.port)", "5"])
            let lines = silent.standardOutput.split(separator: "\n")
            #expect(lines.count == 5 && lines.allSatisfy { $0.hasPrefix("closed ") }, "\(silent.standardOutput)\(silent.standardError)")
            #expect(lines.compactMap { Double($0.split(separator: " ").last ?? "") }.allSatisfy { $0 < 1 }, "\(silent.standardOutput)")
            // A real TLS client on the console gets no handshake at all.
            let sClient = try await ExternalProcess.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(consolePort)", "-servername", "localhost", "-CAfile", gateway.pki.caCertificate.path,
                "-cert", gateway.pki.agencyTLSCertificate("nz.police").path, "-key", gateway.pki.agencyTLSKey("nz.police").path,
            ], input: "")
            let transcript = sClient.standardOutput + sClient.standardError
            #expect(sClient.status != 0 && transcript.contains("handshake has read 0 bytes"), "\(transcript)")

            // The connections it holds are served as before.
            #expect(try await second.request(method: "GET", path: "/healthz").status == 200)
            #expect(try await first.request(method: "GET", path: "/v1/agreements").status == 200)

            // One closed, a new one gets in, once the gateway has seen the close: the cap's own
            // count says when, so the test neither sleeps nor retries.
            let (cap, consoleCap) = (gateway.server.agencyConnectionCap, gateway.server.consoleConnectionCap)
            #expect(cap.openConnections == 2 && consoleCap.openConnections == 1)
            await first.close()
            try #require(await eventually { cap.openConnections == 1 }, "the gateway never saw the connection close")
            let admitted = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            #expect(try await admitted.request(method: "GET", path: "/v1/agreements").status == 200)
            await admitted.close()
            await second.close()
            await console.close()
            try #require(await eventually { cap.openConnections == 0 && consoleCap.openConnections == 0 }, "the gateway never saw the connections close")

            // Counted in the metric, and logged at most once a second, not once a connection.
            let metrics = try await gateway.curl("/metrics", operator: "auditor")
            #expect(metrics.httpStatus == 200, "\(metrics.standardOutput)")
            let refused = metrics.body.split(separator: "\n").first { $0.hasPrefix("accord_connections_refused_total ") }
            let total = Int(refused?.split(separator: " ").last ?? "") ?? 0
            #expect(total >= 6, "\(metrics.body)")
            // The gauges: the scrape's own connection is the only one open now, against a cap of 3.
            func gauge(_ name: String) -> Double? {
                metrics.body.split(separator: "\n").first { $0.hasPrefix("\(name) ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            #expect(gauge("accord_connections_open") == 1, "\(metrics.body)")
            #expect(gauge("accord_connections_limit") == 3, "\(metrics.body)")
            let logged = gateway.logs.all.filter { $0.contains("connection cap is reached") }
            #expect(!logged.isEmpty && logged.count < total, "\(logged)")
            #expect(logged.allSatisfy { $0.contains("max_connections=3") })
        }
    }

    @Test func refusalsAreLoggedAtMostOnceAnInterval() {
        var throttle = ConnectionRefusals.Throttle(interval: .seconds(1))
        let start = ContinuousClock.now
        #expect(throttle.refused(at: start) == 1)
        #expect(throttle.refused(at: start + .milliseconds(10)) == nil)
        #expect(throttle.refused(at: start + .milliseconds(990)) == nil)
        #expect(throttle.refused(at: start + .seconds(1)) == 3, "the refusals since the last line")
        #expect(throttle.refused(at: start + .milliseconds(1500)) == nil)
        #expect(throttle.refused(at: start + .seconds(5)) == 2)
    }
}
