/// Runs agreement activations one at a time (SIGHUP, the console, `setStatus`), so the set
/// the store records last is always the set in force.
actor ActivationQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws(GatewayProblem) -> T) async throws(GatewayProblem) -> T {
        while busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
