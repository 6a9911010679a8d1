import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The group-commit writer's isolation of failing jobs, and the one-writer guard.
@Suite struct WriterTests {
    @Test func jobFailingAfterItWroteFailsAloneInItsBatch() async throws {
        let store = try SQLiteStore.inMemory(configuration: StoreFixture.configuration(every: 1000))
        let results = try await store.whileRunning {
            try await withThrowingTaskGroup(of: (Int, Result<[UInt64], StoreError>).self) { group in
                for n in 0 ..< 100 {
                    var submission = StoreFixture.submission("m\(n)")
                    // The message row is written first, then the delivery collides with m10's.
                    if n == 60 { submission.deliveries[0].id = "m10/immigration-nz" }
                    group.addTask {
                        do throws(StoreError) { return (n, .success(try await store.accept(submission))) } catch { return (n, .failure(error)) }
                    }
                }
                var results: [Int: Result<[UInt64], StoreError>] = [:]
                for try await (n, result) in group { results[n] = result }
                return results
            }
        }
        let failed = results.filter { if case .failure = $0.value { true } else { false } }.map(\.key)
        #expect(failed.count == 1 && [10, 60].contains(failed.first!), "\(failed.map { ($0, results[$0]!) })")
        if case .failure(let error) = results[failed.first!] { #expect(error.code == .invalidRecord) }
        #expect(try await store.message(id: "m\(failed.first!)") == nil, "the failed job's message row was rolled back")
        #expect(results.values.flatMap { (try? $0.get()) ?? [] }.sorted() == Array(0 ..< 99))
        let outcome = try await store.verifyLog(origin: StoreFixture.origin, verifier: store.configuration.signer!.verifier)
        guard case .verified(let summary) = outcome else { Issue.record("\(outcome)"); return }
        #expect(summary.leafCount == 99)
    }

    @Test func secondWriterFailsAtOpenWhileReadersWork() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        let configuration = try StoreFixture.configuration()
        do {
            let writer = try SQLiteStore.open(path: path, configuration: configuration)
            try await writer.whileRunning { _ = try await writer.accept(StoreFixture.submission("m1")) }

            let refusal = #expect(throws: StoreError.self) { try SQLiteStore.open(path: path, configuration: configuration) }
            #expect(refusal?.code == .writerLocked)
            #expect(refusal?.message.contains(path + "-writer.lock") == true)

            let reader = try SQLiteStore.open(path: path, configuration: StoreConfiguration(origin: StoreFixture.origin, signer: nil))
            #expect(try await reader.leafCount() == 1)
            guard case .verified = try await reader.verifyLog(origin: StoreFixture.origin, verifier: configuration.signer!.verifier) else {
                Issue.record("a reader beside the writer must verify"); return
            }
            await #expect(throws: StoreError(.readOnly, "this store was opened without a signer, for reading; open it with the gateway's signer to write")) {
                try await reader.append([StoreFixture.record(.messageDenied, message: "m2")])
            }
            withExtendedLifetime(writer) {}
        }
        // The writer goes away when its last reference does; a task of its run loop still
        // finishing on a loaded machine can hold one a moment after the scope ends.
        var next: SQLiteStore?
        _ = await eventually { next = try? SQLiteStore.open(path: path, configuration: configuration); return next != nil }
        let reopened = try #require(next, "the lock is released when the first writer goes away")
        #expect(try await reopened.leafCount() == 1)
    }

    @Test func secondWriterProcessIsRefused() async throws {
        let path = StoreFixture.temporaryPath()
        defer { StoreFixture.removeDatabase(path) }
        let writer = try SQLiteStore.open(path: path, configuration: StoreFixture.configuration())
        // flock is held by the open file description, so a separate process sees it too.
        let flock = try await ExternalProcess.run("/usr/bin/flock", ["--nonblock", path + "-writer.lock", "true"])
        #expect(flock.status != 0)
        withExtendedLifetime(writer) {}
    }
}
