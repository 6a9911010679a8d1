import AccordClient
import AccordGateway
import AccordTLS
import Foundation
import Histogram
import NIOCore
import Synchronization

/// Where the load goes and how each request looks.
struct LoadTarget: Sendable {
    /// One server, or several nodes of one gateway that share the load's connections evenly.
    let endpoints: [GatewayConfiguration.Address]
    let path: String
    let contentType: String
    /// The status that counts a message as accepted (202 from the gateway; 200 from a peer).
    let expectedStatus: Int
}

/// How messages are sent: closed loop (each connection sends its next message as soon as the
/// previous answer arrives) or open loop (a fixed schedule, latency measured from the time a
/// message was due, so a slow answer cannot hide the queue behind it).
enum LoadMode: Sendable {
    case closed(deadline: Duration?)
    case open(rate: Double)
}

/// What one run measured.
struct LoadResult: Sendable {
    var sent = 0
    var accepted = 0
    /// Every answer by status ("202", "429") and every failure by client error code.
    var outcomes: [String: Int] = [:]
    /// Latency of accepted messages, in microseconds.
    var latency = LoadResult.emptyHistogram()
    var elapsed: Duration = .zero
    /// A closed-loop run for a duration that ended early because it ran out of issued messages.
    var poolExhausted = false
    /// Accepted messages by endpoint ("host:port"), to show how the load spread over nodes.
    var acceptedByEndpoint: [String: Int] = [:]

    static func emptyHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    }

    mutating func merge(_ other: LoadResult) {
        sent += other.sent
        accepted += other.accepted
        outcomes.merge(other.outcomes, uniquingKeysWith: +)
        latency.add(other.latency)
        poolExhausted = poolExhausted || other.poolExhausted
        acceptedByEndpoint.merge(other.acceptedByEndpoint, uniquingKeysWith: +)
    }

    var acceptedPerSecond: Double {
        let seconds = elapsed.seconds
        return seconds > 0 ? Double(accepted) / seconds : 0
    }
}

/// Opens keep-alive mTLS connections as one agency and drives load over them.
struct LoadDriver: Sendable {
    let target: LoadTarget
    let context: TLSContext

    /// Connects to endpoint `slot` modulo the number of endpoints.
    func connect(slot: Int = 0) async throws(AccordClientError) -> AccordHTTPConnection {
        let endpoint = target.endpoints[slot % target.endpoints.count]
        return try await AccordHTTPConnection.connect(host: endpoint.host, port: endpoint.port, context: context, requestTimeout: .seconds(60))
    }

    func endpoint(slot: Int) -> String {
        let endpoint = target.endpoints[slot % target.endpoints.count]
        return "\(endpoint.host):\(endpoint.port)"
    }

    /// Opens `count` connections, spread evenly over the endpoints, at most 64 handshakes at a
    /// time; the connection at index i goes to endpoint i modulo their number.
    func connect(count: Int) async throws -> [AccordHTTPConnection] {
        var connections: [AccordHTTPConnection] = []
        connections.reserveCapacity(count)
        var next = 0
        while next < count {
            let batch = min(64, count - next)
            let opened = try await withThrowingTaskGroup(of: (Int, AccordHTTPConnection).self) { group in
                for index in 0..<batch { group.addTask { [next] in (index, try await connect(slot: next + index)) } }
                var opened: [(Int, AccordHTTPConnection)] = []
                for try await connection in group { opened.append(connection) }
                return opened.sorted { $0.0 < $1.0 }.map(\.1)
            }
            connections += opened
            next += batch
        }
        return connections
    }

    /// Sends `bodies` over `connections` and returns what was measured, with the connections
    /// to use next (a connection that failed is replaced by a new one where possible).
    func run(_ bodies: [[UInt8]], over connections: [AccordHTTPConnection], mode: LoadMode) async -> (LoadResult, [AccordHTTPConnection]) {
        let counter = SharedCounter()
        let clock = ContinuousClock()
        let start = clock.now
        let shared = SharedBodies(bodies: bodies)
        let count = connections.count
        var total = LoadResult()
        var survivors: [AccordHTTPConnection] = []
        await withTaskGroup(of: (LoadResult, AccordHTTPConnection?).self) { group in
            for (slot, connection) in connections.enumerated() {
                group.addTask {
                    switch mode {
                    case .closed(let deadline):
                        let end = deadline.map { start + $0 }
                        return await closedLoop(shared, counter: counter, end: end, connection: connection, slot: slot)
                    case .open(let rate):
                        let indices = Array(stride(from: slot, to: bodies.count, by: count))
                        return await openLoop(shared, indices: indices, rate: rate, start: start, connection: connection, slot: slot)
                    }
                }
            }
            for await (result, connection) in group {
                total.merge(result)
                if let connection { survivors.append(connection) }
            }
        }
        total.elapsed = clock.now - start
        return (total, survivors)
    }

    private func closedLoop(
        _ shared: SharedBodies, counter: SharedCounter, end: ContinuousClock.Instant?, connection: AccordHTTPConnection, slot: Int
    ) async -> (LoadResult, AccordHTTPConnection?) {
        var result = LoadResult()
        var connection: AccordHTTPConnection? = connection
        while let open = connection {
            if let end, ContinuousClock.now >= end { break }
            let index = counter.next()
            guard index < shared.bodies.count else {
                result.poolExhausted = end != nil
                break
            }
            let started = ContinuousClock.now
            connection = await send(shared.bodies[index], over: open, dueAt: started, slot: slot, into: &result)
        }
        result.acceptedByEndpoint[endpoint(slot: slot)] = result.accepted
        return (result, connection)
    }

    private func openLoop(
        _ shared: SharedBodies, indices: [Int], rate: Double, start: ContinuousClock.Instant, connection: AccordHTTPConnection, slot: Int
    ) async -> (LoadResult, AccordHTTPConnection?) {
        var result = LoadResult()
        var connection: AccordHTTPConnection? = connection
        for index in indices {
            guard let open = connection else { break }
            let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
            if due > ContinuousClock.now { try? await Task.sleep(until: due, tolerance: .microseconds(20), clock: .continuous) }
            connection = await send(shared.bodies[index], over: open, dueAt: due, slot: slot, into: &result)
        }
        result.acceptedByEndpoint[endpoint(slot: slot)] = result.accepted
        return (result, connection)
    }

    /// One request; returns the connection to carry on with, nil when none can be had. A failed
    /// connection's replacement goes to the slot's endpoint, keeping the spread over nodes even.
    private func send(
        _ body: [UInt8], over connection: AccordHTTPConnection, dueAt due: ContinuousClock.Instant, slot: Int, into result: inout LoadResult
    ) async -> AccordHTTPConnection? {
        result.sent += 1
        do {
            let response = try await connection.request(
                method: "POST", path: target.path, headers: [("Content-Type", target.contentType)], body: body)
            result.outcomes[String(response.status), default: 0] += 1
            if response.status == target.expectedStatus {
                result.accepted += 1
                let microseconds = (ContinuousClock.now - due).microseconds
                _ = result.latency.record(UInt64(max(1, microseconds)))
            }
            return connection
        } catch {
            result.outcomes["error \(error.code.rawValue)", default: 0] += 1
            await connection.close()
            return try? await connect(slot: slot)
        }
    }
}

/// The next message to send, shared by every connection of a closed-loop run.
final class SharedCounter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// The issued messages, shared without copying by every connection of a run.
final class SharedBodies: Sendable {
    let bodies: [[UInt8]]
    init(bodies: [[UInt8]]) { self.bodies = bodies }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
