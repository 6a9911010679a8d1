import AccordCrypto
import AccordTestSupport
import AccordTLS
import AccordTLSHummingbird
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// A development PKI in a temporary directory plus certificates made to be wrong
/// (another CA, revoked, expired, no agency URI), for live TLS tests.
struct TLSFixture {
    let directory: URL
    let pki: DevelopmentPKI
    let store: TrustStore

    init() throws {
        directory = try PackageRoot.temporaryDirectory("tls")
        pki = DevelopmentPKI(directory: directory)
        _ = try pki.ensure(agencies: [.init(id: "nz.police", name: "New Zealand Police"), .init(id: "nz.customs", name: "New Zealand Customs Service")])
        let caKey = try PrivateKey(pemFile: pki.caKey.path)
        let ca = try Certificate(pem: String(contentsOf: pki.caCertificate, encoding: .utf8))

        // Wrong certificates, each beside its key in directory/bad/<name>.pem and -key.pem.
        let bad = directory.appendingPathComponent("bad")
        try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: true)
        func save(_ name: String, _ certificate: Certificate, _ key: PrivateKey) throws {
            try certificate.pem().write(to: bad.appendingPathComponent("\(name).pem"), atomically: true, encoding: .utf8)
            try key.pemPKCS8().write(to: bad.appendingPathComponent("\(name)-key.pem"), atomically: true, encoding: .utf8)
        }
        let client = CertificateBuilder(commonName: "test client", extendedKeyUsage: ["clientAuth"], alternativeNames: [.uri("urn:accord:agency:nz.police")])
        let otherCAKey = try PrivateKey.generate(.es256)
        let otherCA = try CertificateBuilder(commonName: "Other CA", certificateAuthorityPathLength: 0, keyUsage: ["keyCertSign", "cRLSign"]).selfSigned(key: otherCAKey)
        let key = try PrivateKey.generate(.es256)
        try save("other-ca", client.issued(for: key.publicKey, by: otherCA, issuerKey: otherCAKey), key)
        var expired = client
        expired.notBefore = Date().addingTimeInterval(-7200)
        expired.notAfter = Date().addingTimeInterval(-3600)
        try save("expired", expired.issued(for: key.publicKey, by: ca, issuerKey: caKey), key)
        var anonymous = client
        anonymous.alternativeNames = []
        try save("no-agency", anonymous.issued(for: key.publicKey, by: ca, issuerKey: caKey), key)
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

    func serverContext(minimumVersion: TLSConfiguration.MinimumVersion = .tls13, handshakeTimeout: TimeAmount = .seconds(10)) throws -> TLSContext {
        try TLSContext(TLSConfiguration(
            role: .server,
            certificateChain: Certificate.all(pemFile: pki.gatewayTLSCertificate.path),
            privateKey: PrivateKey(pemFile: pki.gatewayTLSKey.path),
            trustStore: store, minimumVersion: minimumVersion, handshakeTimeout: handshakeTimeout
        ))
    }

    /// Runs a Hummingbird app whose `/whoami` answers the verified peer's identity, over
    /// OpenSSL TLS on a loopback port, for the duration of `body`.
    func withServer(_ context: TLSContext, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("whoami") { _, _ -> String in
            guard let peer = TLSPeer.current else { return "none" }
            return "\(peer.agencyID ?? "?") \(peer.protocolVersion) \(peer.applicationProtocol ?? "-")"
        }
        router.post("echo") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 20)
            return String(buffer: body)
        }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "tls-test")
        logger.logLevel = .warning
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
