import AccordCore
import AccordAudit
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// What only several nodes on one PostgreSQL database show: one tree whatever node appends,
/// one signer at a time, migrations applied once, and an outage answered and recovered from.
@Suite(.needsPostgreSQLServer) struct PostgresStoreTests {
    @Test func twoNodesAppendingAtOnceShareOneDenseVerifiableTree() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration(every: 40)
            // Opened together: the advisory lock lets one migrate while the other waits.
            async let openedFirst = PostgresStore.open(url: cluster.url, configuration: configuration)
            async let openedSecond = PostgresStore.open(url: cluster.url, configuration: configuration)
            let nodes = try await [openedFirst, openedSecond]
            let leaves = try await nodes[0].whileRunning {
                try await nodes[1].whileRunning {
                    try await withThrowingTaskGroup(of: [UInt64].self) { group in
                        for n in 0 ..< 300 {
                            let node = nodes[n % 2]
                            group.addTask {
                                n % 3 == 0 ? try await node.append([StoreFixture.record(.messageDenied, message: "d\(n)")])
                                           : try await node.accept(StoreFixture.submission("m\(n)"))
                            }
                        }
                        var all: [UInt64] = []
                        for try await indices in group { all += indices }
                        return all
                    }
                }
            }
            #expect(leaves.sorted() == Array(0 ..< 300), "every index once, none skipped")
            #expect(try await nodes[1].leafCount() == 300)
            let sequences = try await nodes[0].inbox(recipient: "immigration-nz", states: [.pending], afterSequence: 0, limit: 1000).map(\.sequence)
            #expect(sequences == Array(1 ... 200), "inbox sequences dense and in commit order")
            let outcome = try await nodes[1].verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier,
                                                       pageSize: 64, progress: { _, _ in })
            guard case .verified(let summary) = outcome else { Issue.record("\(outcome)"); return }
            #expect(summary.leafCount == 300)
            #expect(summary.latestCheckpointSize == 300, "the lease holder's final checkpoint covers every leaf")
        }
    }

    @Test func onlyTheLeaseHolderSignsAndAnotherNodeTakesOverWhenItStops() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration()
            let first = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            let second = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            try await first.whileRunning {
                _ = try await first.accept(StoreFixture.submission("m1"))
                _ = try await first.checkpointNow()
                #expect(try await first.latestCheckpoint()?.size == 1, "a lone node takes the free lease and signs")
                try await second.whileRunning {
                    _ = try await second.accept(StoreFixture.submission("m2"))
                    #expect(try await second.checkpointNow() == nil, "the lease is the first node's: the second signs nothing")
                }
            }
            // The first node has stopped and given the lease up; a node started now takes it and signs.
            let third = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            try await third.whileRunning {
                _ = try await third.accept(StoreFixture.submission("m3"))
                #expect(await eventuallyHolds(within: .seconds(60)) { try await third.latestCheckpoint()?.size == 3 })
            }
            #expect(try await third.checkpoints().map(\.size) == [1, 2, 3], "the first node's final checkpoint, then the new holder's")
        }
    }

    @Test func anActivationOnOneNodePromptsTheOtherAtOnce() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration()
            let activating = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            let following = try await PostgresStore.open(url: cluster.url, configuration: configuration)
            // The first wait only opens the listening connection; the second is the one prompted.
            await following.waitForAgreementActivation(timeout: .milliseconds(10))
            try await activating.whileRunning {
                async let woken: Duration = ContinuousClock().measure { await following.waitForAgreementActivation(timeout: .seconds(30)) }
                try await Task.sleep(for: .milliseconds(200))
                _ = try await activating.activateAgreementSet(.init(digest: "sha-256:bb", content: Array("bb".utf8), activatedBy: "operator:jo",
                                                                   activatedAt: Date(), audit: [AuditRecord(event: .agreementsActivated, time: Date(), actor: "operator:jo")]))
                // Well under the 30 s timeout, with room for a loaded machine's slow activation.
                #expect(await woken < .seconds(10), "woken by the NOTIFY, not by its 30 s timeout")
            }
            #expect(try await following.latestAgreementSetDigest() == "sha-256:bb")
        }
    }

    @Test func nodesRecordingTheFirstAgreementSetTogetherRecordItOnce() async throws {
        try await PostgresCluster.with { cluster in
            let configuration = try StoreFixture.configuration()
            let nodes = [try await PostgresStore.open(url: cluster.url, configuration: configuration),
                         try await PostgresStore.open(url: cluster.url, configuration: configuration),
                         try await PostgresStore.open(url: cluster.url, configuration: configuration)]
            let outcomes = try await nodes[0].whileRunning {
                try await nodes[1].whileRunning {
                    try await nodes[2].whileRunning {
                        // Each node found no set at start and records the one its directory holds.
                        try await withThrowingTaskGroup(of: StoreError.Code?.self) { group in
                            for (n, node) in nodes.enumerated() {
                                group.addTask {
                                    do throws(StoreError) {
                                        _ = try await node.activateAgreementSet(.init(
                                            digest: "sha-256:0\(n)", content: Array("set \(n)".utf8), activatedBy: "gateway", activatedAt: Date(),
                                            audit: [AuditRecord(event: .agreementsActivated, time: Date(), actor: "gateway")], onlyIfNoneRecorded: true))
                                        return nil
                                    } catch {
                                        return error.code
                                    }
                                }
                            }
                            var codes: [StoreError.Code?] = []
                            for try await code in group { codes.append(code) }
                            return codes
                        }
                    }
                }
            }
            #expect(outcomes.filter { $0 == nil }.count == 1, "one node records: \(outcomes)")
            #expect(outcomes.filter { $0 == .alreadyRecorded }.count == 2, "the others are told a set is recorded: \(outcomes)")
            #expect(try await nodes[0].agreementSets().count == 1)
            #expect(try await nodes[1].query(AuditQuery(events: [.agreementsActivated])).count == 1, "audited once")
        }
    }

    @Test func anUnreachableDatabaseFailsWritesWithoutAcknowledgingAndTheNodeRecovers() async throws {
        try await PostgresCluster.with { cluster in
            let store = try await PostgresStore.open(url: cluster.url, configuration: StoreFixture.configuration())
            try await store.whileRunning {
                _ = try await store.accept(StoreFixture.submission("before"))
                await cluster.stopServer()
                let refusal = await #expect(throws: StoreError.self) { try await store.accept(StoreFixture.submission("during")) }
                #expect(refusal?.code == .databaseFailed)
                #expect(refusal?.message.contains("eyJ") == false, "no payload in the error")
                try await cluster.startAgain()
                #expect(await eventuallyHolds(within: .seconds(60)) { _ = try await store.accept(StoreFixture.submission("after")); return true })
            }
            #expect(try await store.message(id: "during") == nil, "nothing half-written")
            #expect(try await store.message(id: "after") != nil)
            #expect(try await store.leafCount() == 2)
        }
    }
}
