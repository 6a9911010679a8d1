import AccordClient
import AccordCrypto
import AccordTLS
import Foundation
import Testing

/// The HTTP/1.1 client over real sockets against a Hummingbird app on OpenSSL TLS.
@Suite(.serialized) struct AccordHTTPConnectionTests {
    @Test func getAndPostCarryTheAgencyIdentity() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let police = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext())
            #expect(police.peer.protocolVersion == "TLSv1.3")
            #expect(police.peer.applicationProtocol == "http/1.1")
            #expect(police.peer.certificate?.subject.contains("Accord gateway") == true, "\(police.peer.certificate?.subject ?? "none")")

            let whoami = try await police.request(method: "GET", path: "/whoami")
            #expect(whoami.status == 200)
            #expect(whoami.bodyText == "nz.police")
            #expect(whoami.header("Content-Length") == "9")

            let echoed = try await police.request(method: "POST", path: "/echo", headers: [("Content-Type", "text/plain")], body: Array("kia ora".utf8))
            #expect(echoed.status == 200)
            #expect(echoed.bodyText == "nz.police\nkia ora")
            let empty = try await police.request(method: "POST", path: "/echo")
            #expect(empty.bodyText == "nz.police\n")
            let missing = try await police.request(method: "GET", path: "/nowhere")
            #expect(missing.status == 404)
            await police.close()

            let customs = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: port, context: fixture.agencyContext("nz.customs", serverName: "127.0.0.1"))
            #expect(try await customs.request(method: "GET", path: "/whoami").bodyText == "nz.customs")
            await customs.close()
        }
    }

    @Test func oneConnectionCarriesManyRequestsInOrder() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext())
            for index in 0..<100 {
                let response = try await connection.request(method: "POST", path: "/echo", body: Array("request \(index)".utf8))
                #expect(response.bodyText == "nz.police\nrequest \(index)")
            }
            #expect(connection.isOpen)

            // Concurrent callers queue on the connection; each gets its own response.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for count in 1...20 {
                    group.addTask {
                        let response = try await connection.request(method: "GET", path: "/bytes/\(count * 100)")
                        #expect(response.body == expectedBytes(count * 100))
                    }
                }
                try await group.waitForAll()
            }
            #expect(connection.isOpen)
            await connection.close()
        }
    }

    @Test func severalConnectionsAtOnce() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let context = try fixture.agencyContext()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<6 {
                    group.addTask {
                        let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
                        var answered = 0
                        for index in 0..<20 {
                            let response = try await connection.request(method: "POST", path: "/echo", body: Array("\(client)/\(index)".utf8))
                            if response.bodyText == "nz.police\n\(client)/\(index)" { answered += 1 }
                        }
                        await connection.close()
                        return answered
                    }
                }
                var total = 0
                for try await answered in group { total += answered }
                #expect(total == 6 * 20)
            }
        }
    }

    @Test func aServerCertificateFromAnotherCAIsRefused() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        let impostor = fixture.bad("other-ca-server")
        try await fixture.withServer(fixture.serverContext(certificate: impostor.certificate, key: impostor.key)) { port in
            let error = await #expect(throws: AccordClientError.self) {
                _ = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext())
            }
            #expect(error?.code == .handshakeFailed)
            #expect(error?.tlsCode == .peerCertificateRejected)
            #expect(error?.message.contains("local issuer") == true, "\(String(describing: error))")
        }
    }

    @Test func aWrongServerNameOrAddressIsRefused() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            for (name, reason) in [("gateway.example", "hostname mismatch"), ("127.0.0.2", "IP address mismatch"), ("::2", "IP address mismatch")] {
                let error = await #expect(throws: AccordClientError.self, "\(name)") {
                    _ = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: port, context: fixture.agencyContext(serverName: name))
                }
                #expect(error?.code == .handshakeFailed, "\(name)")
                #expect(error?.tlsCode == .peerCertificateRejected, "\(name)")
                #expect(error?.message.contains(reason) == true, "\(name): \(String(describing: error))")
            }
            // The certificate names 127.0.0.1 and ::1 as addresses: an address checks against those.
            let byAddress = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: port, context: fixture.agencyContext(serverName: "127.0.0.1"))
            #expect(try await byAddress.request(method: "GET", path: "/whoami").status == 200)
            await byAddress.close()
        }
    }

    @Test func theServerRefusesAClientWithoutCertificateOrRevoked() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let revoked = fixture.bad("revoked")
            let cases: [(String, String?, String)] = [
                ("no certificate", nil, "certificate required"),
                ("revoked", revoked.certificate, "certificate revoked"),
            ]
            for (label, certificate, alert) in cases {
                let context = try fixture.clientContext(certificate: certificate, key: revoked.key)
                // In TLS 1.3 the client's handshake ends before the server checks its
                // certificate, so the refusal arrives as an alert on the first request.
                let error = await #expect(throws: AccordClientError.self, "\(label)") {
                    let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
                    _ = try await connection.request(method: "GET", path: "/whoami")
                }
                guard let error else { continue }
                if error.code == .connectionClosed {
                    // The server's reset overtook its alert; refused all the same.
                    continue
                }
                #expect(error.tlsCode == .refusedByPeer, "\(label): \(error)")
                #expect(error.message.contains(alert), "\(label): \(error)")
            }
        }
    }

    @Test func oneMebibyteEachWay() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext())
            let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            let echoed = try await connection.request(method: "POST", path: "/echo", body: payload)
            #expect(echoed.body.count == payload.count + "nz.police\n".utf8.count)
            #expect(echoed.body == Array("nz.police\n".utf8) + payload, "the echoed body differs from what was sent")
            let downloaded = try await connection.request(method: "GET", path: "/bytes/\(1 << 20)")
            #expect(downloaded.body == expectedBytes(1 << 20), "the downloaded body differs")
            await connection.close()

            let limited = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext(), maximumResponseBodySize: 1000)
            let error = await #expect(throws: AccordClientError.self) {
                _ = try await limited.request(method: "GET", path: "/bytes/1001")
            }
            #expect(error?.code == .responseTooLarge)
            #expect(!limited.isOpen)
            await limited.close()
        }
    }

    @Test func closingIsCleanFromEitherSide() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let context = try fixture.agencyContext()
            let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
            #expect(try await connection.request(method: "GET", path: "/whoami").status == 200)
            await connection.close()
            #expect(!connection.isOpen)
            await connection.close()
            let afterClose = await #expect(throws: AccordClientError.self) {
                _ = try await connection.request(method: "GET", path: "/whoami")
            }
            #expect(afterClose?.code == .connectionClosed)

            // The server ends the connection when asked; the response still arrives whole.
            let once = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
            let last = try await once.request(method: "GET", path: "/whoami", headers: [("Connection", "close")])
            #expect(last.bodyText == "nz.police")
            let afterServerClose = await #expect(throws: AccordClientError.self) {
                _ = try await once.request(method: "GET", path: "/whoami")
            }
            #expect(afterServerClose?.code == .connectionClosed)
            #expect(!once.isOpen)
            await once.close()

            // The server is unharmed by either.
            let again = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: context)
            #expect(try await again.request(method: "GET", path: "/whoami").bodyText == "nz.police")
            await again.close()
        }
    }

    @Test func requestsThatCannotBeSentAreRefusedBeforeSending() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        try await fixture.withServer(fixture.serverContext()) { port in
            let connection = try await AccordHTTPConnection.connect(host: "localhost", port: port, context: fixture.agencyContext())
            let attempts: [(String, String, [(String, String)])] = [
                ("GET", "whoami", []), ("GET", "/who ami", []), ("G ET", "/whoami", []),
                ("GET", "/whoami", [("X-Bad", "one\r\nInjected: two")]), ("GET", "/whoami", [("Bad Name", "x")]),
            ]
            for (method, path, headers) in attempts {
                let error = await #expect(throws: AccordClientError.self) {
                    _ = try await connection.request(method: method, path: path, headers: headers)
                }
                #expect(error?.code == .invalidRequest)
            }
            #expect(connection.isOpen)
            #expect(try await connection.request(method: "GET", path: "/whoami").status == 200)
            await connection.close()
        }
    }

    @Test func connectAndConfigurationFailuresSayWhat() async throws {
        let fixture = try ClientFixture()
        defer { fixture.cleanUp() }
        let refused = await #expect(throws: AccordClientError.self) {
            _ = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: 1, context: fixture.agencyContext())
        }
        #expect(refused?.code == .connectFailed)

        let unknown = #expect(throws: TLSError.self) {
            _ = try TLSContext.agencyClient(pkiDirectory: fixture.directory, agency: "nz.nobody", serverName: "localhost")
        }
        #expect(unknown?.code == .configuration)
        #expect(unknown?.message.contains("accord pki init") == true)

        let server = await #expect(throws: AccordClientError.self) {
            _ = try await AccordHTTPConnection.connect(host: "127.0.0.1", port: 1, context: fixture.serverContext())
        }
        #expect(server?.tlsCode == .configuration)
    }
}
