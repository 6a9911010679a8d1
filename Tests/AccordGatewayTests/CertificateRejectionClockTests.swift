import AccordAudit
import AccordCrypto
import AccordStore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

@testable import AccordServer

/// Refused certificates stay audited when the wall clock is stepped back: the once-a-minute
/// quiet period per source and reason must not stretch by the length of the step.
@Suite struct CertificateRejectionClockTests {
    @Test func aClockSteppedBackDoesNotSilenceTheAuditOfRefusedCertificates() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreConfiguration(
            origin: "accord.test/audit", signer: try NoteSigner(name: "accord.test/audit", privateKey: PrivateKey.generate(.edDSA))))
        let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let audit = CertificateRejectionAudit(store: store, logger: Logger(label: "test"), clock: { time.withLock { $0 } })
        let remote = try SocketAddress(ipAddress: "192.0.2.7", port: 40_000)
        let refused = CertificateRejection(.unknownIssuer, "unable to get local issuer certificate")
        func refusals() async throws -> [AuditRecord] {
            try await store.query(AuditQuery(events: [.certificateRejected])).map(\.record)
        }

        // The audit runs as the gateway runs it, in a service group; a graceful shutdown ends it
        // once it has written what it was given, so the test reads the log without racing a clock.
        let writer = Task { await store.run() }
        defer { writer.cancel() }
        let services = ServiceGroup(configuration: .init(services: [audit], gracefulShutdownSignals: [], logger: Logger(label: "test")))
        let auditing = Task { try await services.run() }
        audit.observe(refused, fingerprint: nil, remote: remote, listener: "agency")
        time.withLock { $0 += 10 }
        audit.observe(refused, fingerprint: nil, remote: remote, listener: "agency")
        // An hour back, as an NTP step or a restored snapshot would put it.
        time.withLock { $0 -= 3_600 }
        audit.observe(refused, fingerprint: nil, remote: remote, listener: "agency")
        time.withLock { $0 += 5 }
        audit.observe(refused, fingerprint: nil, remote: remote, listener: "agency")
        await services.triggerGracefulShutdown()
        try await auditing.value

        let recorded = try await refusals()
        // The first, then the first after the step; each within a minute of one stays quiet.
        #expect(recorded.map(\.time) == [Date(timeIntervalSince1970: 1_800_000_000), Date(timeIntervalSince1970: 1_800_000_010 - 3_600)],
                "\(recorded.map(\.time))")
    }
}
