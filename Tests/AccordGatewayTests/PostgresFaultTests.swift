import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Logging
import Testing

/// PostgreSQL stopped under a gateway (issue 16 item 5): a submission is answered 503 with
/// Retry-After, nothing is acknowledged or half-written, and the gateway recovers by itself
/// once the server is back.
@Suite(.needsPostgreSQLServer) struct PostgresFaultTests {
    @Test func aStoppedDatabaseIsAnswered503AndTheGatewayRecoversWhenItReturns() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            try await PostgresCluster.with { cluster in
                let signer = try NoteSigner(name: "test.accord/audit", privateKey: fixture.keys.auditKey)
                let store = try await PostgresStore.open(url: cluster.url, configuration: StoreConfiguration(origin: "test.accord/audit", signer: signer))
                var options = Gateway.Options()
                options.auditOrigin = "test.accord/audit"
                let gateway = try Gateway(store: store, policy: fixture.policy, keys: fixture.keys, options: options,
                                          logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
                let writer = Task { await store.run() }
                do {
                    try await Self.outageAndRecovery(gateway: gateway, store: store, cluster: cluster, fixture: fixture)
                } catch {
                    writer.cancel()
                    await writer.value
                    throw error
                }
                writer.cancel()
                await writer.value
            }
        }
    }

    private static func outageAndRecovery(gateway: Gateway, store: PostgresStore, cluster: PostgresCluster, fixture: GatewayFixture) async throws {
        _ = try await gateway.submit(try fixture.issue(from: "nz.immigration", to: ["nz.police"]), from: "nz.immigration")
        await cluster.stopServer()
        let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"])
        let refused = await #expect(throws: GatewayProblem.self) { try await gateway.submit(text, from: "nz.immigration") }
        #expect(refused?.status == 503 && (refused?.retryAfter ?? 0) >= 1, "\(String(describing: refused))")
        #expect(refused.map { !$0.detail.contains("Mele") } == true, "no payload value in the answer")

        try await cluster.startAgain()
        var receipt: SubmissionReceipt?
        let deadline = ContinuousClock.now + .seconds(60)
        while receipt == nil, ContinuousClock.now < deadline {
            receipt = try? await gateway.submit(text, from: "nz.immigration")
            if receipt == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(receipt?.replayed == false, "the refused message was not acknowledged before, so it is accepted now, once")
        #expect(try await gateway.inbox(for: "nz.police", after: nil, limit: nil).items.count == 2)
        _ = try await store.checkpointNow()
        let verifier = try NoteVerifier(name: "test.accord/audit", publicKey: fixture.keys.auditKey.publicKey)
        let outcome = try await store.verifyLog(origin: "test.accord/audit", verifier: verifier, pageSize: 1000) { _, _ in }
        guard case .verified = outcome else {
            Issue.record("the log does not verify after the outage: \(outcome)")
            return
        }
    }
}
