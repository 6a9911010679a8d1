import AccordAudit
import AccordConsole
import AccordCrypto
import AccordPolicy
import AccordStore
import AccordTestSupport
import AccordTLS
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Testing

/// The console in the system Chromium over real mutual TLS, with the development privacy
/// officer's PKCS#12 file: sign in, search, approve, verify (Tests/Interop/console_browser.py).
@Suite(
    .serialized, .needsPython, .needs("chromium", fromPackage: "chromium"), .needs("chromedriver", fromPackage: "chromium-driver"),
    .needs("pk12util", fromPackage: "libnss3-tools")
)
struct BrowserTests {
    @Test
    func officerSignsInSearchesAndApprovesInChromium() async throws {
        let fixture = try ConsoleFixture()
        defer { fixture.cleanUp() }
        let pki = DevelopmentPKI(directory: fixture.certificates.appendingPathComponent("dev"))
        let screenshots = try Self.screenshotFolder("officer")
        // Another browser test's policy, written as when the suites run side by side: Chromium
        // lets one file's policy win, and this test's certificate must still be chosen.
        let other = try BackgroundProcess(await PythonEnvironment.interpreter(), [
            PackageRoot.url.appendingPathComponent("Tests/Interop/hold_chromium_policy.py").path, "other-browser-test",
        ])
        defer { kill(other.processIdentifier, SIGTERM) }
        guard await other.readLine() == "holding" else {
            Issue.record("hold_chromium_policy.py did not start: \(await other.finish().standardError)")
            return
        }
        let output = try await Self.run("console_browser.py", on: fixture) { port in
            ["--url", "https://localhost:\(port)", "--p12", pki.operatorPKCS12("officer").path,
             "--password", DevelopmentPKI.developmentPKCS12Password, "--ca", pki.caCertificate.path, "--out", screenshots.path]
        }
        #expect(output.status == 0, "\(output.standardOutput)\n\(output.standardError)")
        for name in ["1-overview", "2-audit-search", "3-held", "4-approved", "5-integrity"] {
            #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("\(name).png").path), "no screenshot \(name) in \(screenshots.path)")
        }
        let approved = try await fixture.store.deliveries(messageID: fixture.sent(.heldToFiji).message).first?.state
        let approvedOther = try await fixture.store.deliveries(messageID: fixture.sent(.heldToImmigration).message).first?.state
        #expect([approved, approvedOther].contains(.pending), "no held message was approved")
        let queried = try await fixture.records(.auditQueried)
        #expect(queried.contains { $0.actor == "urn:accord:operator:privacy-officer:officer" && $0.details["subject"] != nil })
    }

    /// A local account in Chromium with no client certificate: the console's TLS makes the
    /// certificate optional, the browser signs in with a password (Tests/Interop/console_browser_password.py).
    @Test
    func accountSignsInWithAPasswordInChromium() async throws {
        var fixture = try ConsoleFixture()
        let accounts = try AccountsFixture()
        defer {
            fixture.cleanUp()
            accounts.cleanUp()
        }
        fixture.environment.accounts = accounts.accounts
        let pki = DevelopmentPKI(directory: fixture.certificates.appendingPathComponent("dev"))
        let screenshots = try Self.screenshotFolder("password")
        let output = try await Self.run("console_browser_password.py", on: fixture, clientCertificates: .optional) { port in
            ["--url", "https://localhost:\(port)", "--name", "alice", "--password", "alice's long password",
             "--admin", "bob", "bob's long password", "--ca", pki.caCertificate.path, "--out", screenshots.path]
        }
        #expect(output.status == 0, "\(output.standardOutput)\n\(output.standardError)")
        #expect(output.standardOutput.contains("no WCAG A/AA violation on /signin, /, /audit (results), /flows, /held, /integrity, /integrity/runs, /agencies, /agreements, "
                                                    + "/agreements/new, /agreements (saved draft)"),
                "\(output.standardOutput)")
        for name in ["password-1-signin", "password-2-overview", "password-3-search", "password-4-signed-out", "password-5-agreements", "password-6-activated"] {
            #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("\(name).png").path), "no screenshot \(name) in \(screenshots.path)")
        }
        let events = try await fixture.store.query(AuditQuery(events: [.operatorSignedIn, .auditQueried, .operatorSignedOut])).map(\.record)
        #expect(events.map(\.event) == [.operatorSignedIn, .auditQueried, .auditQueried, .auditQueried, .operatorSignedOut, .operatorSignedIn],
                "\(events.map(\.event))")
        #expect(events.dropLast().allSatisfy { $0.actor == "urn:accord:operator:privacy-officer:alice" })
        #expect(events.last?.actor == "urn:accord:operator:administrator:bob")
        // The draft written in the browser was made active by bob.
        let activations = try await fixture.store.query(AuditQuery(events: [.agreementsActivated])).map(\.record)
        #expect(activations.contains { $0.actor == "urn:accord:operator:administrator:bob" }, "\(activations.map(\.actor))")
        #expect(output.standardOutput.contains("written and made active in the browser"))
    }

    /// A new folder for one test's screenshots, kept after the run for a person to look at.
    /// Each run has its own, so concurrent runs (and these tests) never overwrite or delete
    /// each other's.
    static func screenshotFolder(_ test: String) throws -> URL {
        try PackageRoot.temporaryDirectory("console-screenshots-\(test)")
    }

    /// Serves `fixture`'s console over OpenSSL TLS on a loopback port, the operator identified
    /// by the verified client certificate as in the gateway, with the store's writer running
    /// and the fixture's traffic sent, and runs `Tests/Interop/<script>` against it.
    static func run(
        _ script: String, on fixture: ConsoleFixture, clientCertificates: TLSConfiguration.ClientCertificates = .required,
        arguments: (Int) -> [String]
    ) async throws -> ExternalProcess.Output {
        let pki = DevelopmentPKI(directory: fixture.certificates.appendingPathComponent("dev"))
        let tls = try TLSContext(TLSConfiguration(
            role: .server, certificateChain: Certificate.all(pemFile: pki.gatewayTLSCertificate.path),
            privateKey: PrivateKey(pemFile: pki.gatewayTLSKey.path), trustStore: TrustStore.load(directory: pki.directory.path),
            clientCertificates: clientCertificates
        ))
        var logger = Logger(label: "console-browser-test")
        logger.logLevel = .warning
        var environment = fixture.environment
        environment.identify = { _ in TLSPeer.current?.identity }
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = try ConsoleRoutes.application(
            environment: environment, tls: TLSContextHolder(tls), address: .hostname("127.0.0.1", port: 0), logger: logger,
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }
        )
        return try await fixture.store.whileRunning {
            try await fixture.start()
            return try await withThrowingTaskGroup(of: Void.self) { group in
                let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
                group.addTask { try await services.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let output = try await ExternalProcess.python(script, arguments(port))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return output
            }
        }
    }
}
