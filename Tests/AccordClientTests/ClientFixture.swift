import AccordCrypto
import AccordTestSupport
import AccordTLS
import AccordTLSHummingbird
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A development PKI in a temporary directory, plus a gateway certificate from another CA
/// and a revoked agency certificate, and a Hummingbird app over OpenSSL TLS to talk to.
/// A trimmed copy of AccordTLSTests' TLSFixture: sharing it through AccordTestSupport would
/// bring Hummingbird and ServiceLifecycle into every test target.
struct ClientFixture {
    let directory: URL
    let pki: DevelopmentPKI
    let store: TrustStore

    init() throws {
        directory = try PackageRoot.temporaryDirectory("client")
        pki = DevelopmentPKI(directory: directory)
        _ = try pki.ensure(agencies: [.init(id: "nz.police", name: "New Zealand Police"), .init(id: "nz.customs", name: "New Zealand Customs Service")])
        let caKey = try PrivateKey(pemFile: pki.caKey.path)
        let ca = try Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))

        let bad = directory.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        func save(_ name: String, _ certificate: Certificate, _ key: PrivateKey) throws {
            try certificate.pem().write(to: bad.appendingPathComponent("\(name).pem"), atomically: true, encoding: .utf8)
            try key.pemPKCS8().write(to: bad.appendingPathComponent("\(name)-key.pem"), atomically: true, encoding: .utf8)
        }
        let key = try PrivateKey.generate(.es256)
        let otherCAKey = try PrivateKey.generate(.es256)
        let otherCA = try CertificateBuilder(commonName: "Other CA", certificateAuthorityPathLength: 0, keyUsage: ["keyCertSign", "cRLSign"]).selfSigned(key: otherCAKey)
        let server = CertificateBuilder(commonName: "impostor gateway", keyUsage: ["digitalSignature"], extendedKeyUsage: ["serverAuth"],
                                        alternativeNames: [.dns("localhost"), .ip("127.0.0.1")])
        try save("other-ca-server", server.issued(for: key.publicKey, by: otherCA, issuerKey: otherCAKey), key)
        let client = CertificateBuilder(commonName: "revoked client", extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri("urn:accord:agency:nz.police")])
        let revoked = try client.issued(for: key.publicKey, by: ca, issuerKey: caKey)
        try save("revoked", revoked, key)
        let crl = try RevocationListBuilder(revoked: [(revoked.serialNumberHex, Date().addingTimeInterval(-60))]).issue(by: ca, issuerKey: caKey)
        try crl.pem().write(to: pki.caRevocationList, atomically: true, encoding: .utf8)

        store = try TrustStore.load(directory: directory.path)
    }

    func bad(_ name: String) -> (certificate: String, key: String) {
        let bad = directory.appendingPathComponent("bad")
        return (bad.appendingPathComponent("\(name).pem").path, bad.appendingPathComponent("\(name)-key.pem").path)
    }

    func serverContext(certificate: String? = nil, key: String? = nil) throws -> TLSContext {
        try TLSContext(TLSConfiguration(
            role: .server,
            certificateChain: Certificate.all(pemFile: certificate ?? pki.gatewayTLSCertificate.path),
            privateKey: PrivateKey(pemFile: key ?? pki.gatewayTLSKey.path),
            trustStore: store
        ))
    }

    /// A client context for an agency of the fixture's PKI, through the convenience callers use.
    func agencyContext(_ agency: String = "nz.police", serverName: String = "localhost") throws -> TLSContext {
        try TLSContext.agencyClient(pkiDirectory: directory, agency: agency, serverName: serverName)
    }

    /// A client context with the given certificate (none when nil).
    func clientContext(certificate: String?, key: String) throws -> TLSContext {
        try TLSContext(TLSConfiguration(
            role: .client(serverName: "localhost"),
            certificateChain: certificate.map { try Certificate.all(pemFile: $0) } ?? [],
            privateKey: PrivateKey(pemFile: key), trustStore: store
        ))
    }

    /// Runs a Hummingbird app over OpenSSL TLS on a loopback port for the duration of `body`:
    /// `/whoami` answers the verified peer's agency, `/echo` returns the peer's agency, a
    /// newline and the request body, `/bytes/<n>` returns n bytes.
    func withServer(_ context: TLSContext, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("whoami") { _, _ -> String in
            TLSPeer.current?.agencyID ?? "none"
        }
        router.post("echo") { request, _ -> Response in
            var echoed = ByteBuffer(string: "\(TLSPeer.current?.agencyID ?? "none")\n")
            var body = try await request.body.collect(upTo: 4 << 20)
            echoed.writeBuffer(&body)
            return Response(status: .ok, body: .init(byteBuffer: echoed))
        }
        router.get("bytes/:count") { _, context -> Response in
            let count = try context.parameters.require("count", as: Int.self)
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "client-test")
        logger.logLevel = .critical
        let app = Application(
            router: router, server: .openSSL(context: context),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            do {
                try await body(port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The bytes `/bytes/<n>` answers, for comparing.
func expectedBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}
