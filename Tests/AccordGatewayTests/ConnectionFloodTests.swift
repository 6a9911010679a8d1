import AccordCrypto
import AccordGateway
import AccordTestSupport
import Foundation
import Testing

/// Anonymous TCP floods that never send a byte, from other loopback addresses (127.0.0.2 and
/// up, all loopback on Linux), bounded in count and time: a legitimate agency, connecting from
/// 127.0.0.1 with curl, is still served; a flood on one listener leaves the other's share.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct ConnectionFloodTests {
    /// One host's flood holds at most its per-source share of unauthenticated connections; the
    /// rest are closed at accept, and the handshake deadline closes the ones it holds.
    @Test func aFloodFromOneAddressHoldsOnlyItsShareAndAnAgencyStillConnects() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.maxUnauthenticatedPerSource = 8
        // Long enough that a loaded machine still sees the flood held before the deadline frees it.
        limits.handshakeTimeoutSeconds = 20
        let gateway = try await LiveGateway.start(limits: limits)
        try await gateway.closing {
            let flood = try SilentConnections(count: 100, to: gateway.port, from: "127.0.0.2")
            defer { flood.close() }
            // Connections the gateway has not yet accepted look open too: wait until it has.
            _ = await eventually(timeout: .seconds(60)) { flood.openCount() <= 8 }
            let held = flood.openCount()
            #expect(held == 8, "the flood holds \(held) connections, not its address's share of 8")

            let agency = try await gateway.curl("/v1/inbox", as: "nz.police")
            #expect(agency.httpStatus == 200, "\(agency.standardError)")

            // The deadline frees the eight it held.
            #expect(await eventually(timeout: .seconds(40)) { flood.openCount() == 0 }, "the handshake deadline did not close the flood's connections")

            let metrics = try await gateway.curl("/metrics", operator: "auditor")
            let refused = metrics.body.split(separator: "\n").first { $0.hasPrefix("accord_connections_refused_per_source_total ") }
            #expect(Int(refused?.split(separator: " ").last ?? "").map { (84...92).contains($0) } == true, "\(refused ?? "no counter")")
            let logged = gateway.logs.all.filter { $0.contains("has not authenticated") || $0.contains("have not authenticated") }
            #expect(!logged.isEmpty && logged.count < 10, "refusals logged per connection: \(logged.count)")
        }
    }

    /// The operations listener has no TLS and no authentication: a flood on it holds at most
    /// its own 32 connections, none of the TLS listeners' slots, and once it ends probes answer.
    @Test func aFloodOnTheProbesHoldsOnlyTheirOwnConnections() async throws {
        let gateway = try await LiveGateway.start(operations: true)
        try await gateway.closing {
            let port = try #require(gateway.operationsPort)
            let flood = try SilentConnections(count: 50, to: port, from: "127.0.0.2")
            defer { flood.close() }
            _ = await eventually(timeout: .seconds(60)) { flood.openCount() <= 32 }
            #expect(flood.openCount() == 32)
            let agency = try await gateway.curl("/v1/inbox", as: "nz.police")
            #expect(agency.httpStatus == 200, "\(agency.standardError)")
            flood.close()
            var live = try await gateway.curlOperations("/livez")
            let answered = await eventuallyHolds(within: .seconds(30)) {
                live = try await gateway.curlOperations("/livez")
                return live.httpStatus == 200
            }
            #expect(answered, "\(live.standardOutput)\(live.standardError)")
        }
    }

    /// Many addresses filling the console's share leave the agency API its own, and the other
    /// way round: neither listener's flood takes the other's slots.
    @Test func aFloodOnOneListenerLeavesTheOtherItsShare() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.handshakeTimeoutSeconds = 30
        limits.maxConnections = 24
        limits.consoleConnections = 8
        limits.maxConnectionsPerAgency = 8
        limits.maxUnauthenticatedPerSource = 4
        let gateway = try await LiveGateway.start(limits: limits, console: true)
        try await gateway.closing {
            let consolePort = try #require(gateway.consolePort)
            // Four addresses, four each: 16 connections at the console, which takes 8.
            let onConsole = try (2...5).map { try SilentConnections(count: 4, to: consolePort, from: "127.0.0.\($0)") }
            defer { onConsole.forEach { $0.close() } }
            _ = await eventually(timeout: .seconds(60)) { onConsole.map { $0.openCount() }.reduce(0, +) <= 8 }
            #expect(onConsole.map { $0.openCount() }.reduce(0, +) == 8)
            let agency = try await gateway.curl("/v1/inbox", as: "nz.police")
            #expect(agency.httpStatus == 200, "a flood on the console kept an agency out: \(agency.standardError)")
            onConsole.forEach { $0.close() }

            // Five addresses, four each: 20 at the agency API, which takes 16; the console still answers.
            let onAgencies = try (6...10).map { try SilentConnections(count: 4, to: gateway.port, from: "127.0.0.\($0)") }
            defer { onAgencies.forEach { $0.close() } }
            _ = await eventually(timeout: .seconds(60)) { onAgencies.map { $0.openCount() }.reduce(0, +) <= 16 }
            #expect(onAgencies.map { $0.openCount() }.reduce(0, +) == 16)
            let console = try await ExternalProcess.run("curl", [
                "--silent", "--show-error", "--max-time", "30", "--cacert", gateway.pki.caCertificate.path, "--write-out", "\n%{http_code}",
                "--cert", gateway.pki.operatorCertificate("auditor").path, "--key", gateway.pki.operatorKey("auditor").path,
                "https://localhost:\(consolePort)/",
            ])
            #expect(console.standardOutput.hasSuffix("\n200"), "a flood on the agency API kept operators out: \(console.standardError)")
        }
    }
}

/// Raw TCP connections from `source` that never send anything: a client stuck before its
/// ClientHello, or a flood.
final class SilentConnections {
    private var descriptors: [Int32] = []

    init(count: Int, to port: Int, from source: String) throws {
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw SocketError(what: "socket") }
            descriptors.append(descriptor)
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_addr.s_addr = inet_addr("127.0.0.1")
            remote.sin_port = in_port_t(UInt16(port).bigEndian)
            let size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let connected = withUnsafePointer(to: &local) { local in
                withUnsafePointer(to: &remote) { remote in
                    local.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, size) } == 0
                        && remote.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, size) } == 0
                }
            }
            guard connected else { throw SocketError(what: "connect from \(source): \(String(cString: strerror(errno)))") }
        }
    }

    /// The connections the server has not closed: nothing to read, no end of stream, no reset.
    func openCount() -> Int {
        descriptors.filter { descriptor in
            var byte: UInt8 = 0
            let read = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
            return read < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
        }.count
    }

    func close() {
        for descriptor in descriptors { Foundation.close(descriptor) }
        descriptors = []
    }

    deinit { close() }

    struct SocketError: Error { let what: String }
}
