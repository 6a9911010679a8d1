import AccordClient
import AccordTLS
import Foundation
import NIOCore

/// How the gateway reaches one witness: HTTPS on one kept connection that trusts only the CA
/// pinned for it (made again after any failure), or plain HTTP where the configuration says
/// `plain_http` (docs/audit.md, "Witnesses over TLS").
actor WitnessClient {
    let url: URL
    private let tls: TLSContext?
    private let plain = LogHTTPClient()
    private var connection: AccordHTTPConnection?

    init(url text: String, caFile: String?) throws {
        guard let url = URL(string: text), let host = url.host else { throw TLSError(.configuration, "'\(text)' is not a URL") }
        self.url = url
        tls = try caFile.map { try WitnessTLS.clientContext(caFile: $0, serverName: host) }
    }

    /// POSTs `body` (text) to `<url>/<path>`.
    func post(_ path: String, body: String) async throws -> LogHTTPClient.Answer {
        let target = url.absoluteString.hasSuffix("/") ? url.absoluteString + path : url.absoluteString + "/" + path
        guard let tls, let host = url.host else { return try await plain.post(target, body: body) }
        if connection?.isOpen != true {
            connection = try await AccordHTTPConnection.connect(host: host, port: url.port ?? 443, context: tls,
                                                                connectTimeout: .seconds(5), requestTimeout: .seconds(10))
        }
        do {
            let response = try await connection!.request(
                method: "POST", path: URL(string: target)?.path ?? "/" + path,
                headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(body.utf8))
            return LogHTTPClient.Answer(status: response.status, body: response.body)
        } catch {
            await connection?.close()
            connection = nil
            throw error
        }
    }
}
