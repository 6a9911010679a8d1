public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP the witnessing parts speak to each other: the gateway POSTing checkpoints to a
/// witness, a monitor GETting checkpoints and tiles. Plain HTTP or HTTPS with the system's
/// trust; no client certificate (the operations listener and witnesses need none).
public struct LogHTTPClient: Sendable {
    public struct Answer: Sendable {
        public let status: Int
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }

        public init(status: Int, body: [UInt8]) {
            self.status = status
            self.body = body
        }
    }

    let timeout: TimeInterval

    public init(timeout: TimeInterval = 10) {
        self.timeout = timeout
    }

    public func get(_ url: String) async throws -> Answer {
        try await send(url, method: "GET", body: nil)
    }

    public func post(_ url: String, body: String) async throws -> Answer {
        try await send(url, method: "POST", body: Data(body.utf8))
    }

    private func send(_ address: String, method: String, body: Data?) async throws -> Answer {
        guard let url = URL(string: address) else { throw URLError(.badURL) }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: [UInt8](data))
    }
}
