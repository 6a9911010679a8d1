import AccordClient
import AccordCore
import AccordCrypto
import AccordTLS
import ArgumentParser
import Foundation

/// Where the gateway is and whose certificate to present: the options of `send` and `inbox`.
struct ClientOptions: ParsableArguments {
    @Option(name: .customLong("as"), help: "The agency to act as; its TLS certificate comes from the PKI directory.")
    var agency: String

    @Option(help: "The gateway's agency API, host:port.")
    var gateway = "localhost:8443"

    @Option(help: "The development PKI directory (trust anchors, agencies/<id>/...).")
    var pki = "Certificates/dev"

    @Flag(help: "Print the gateway's JSON answer as it came.")
    var json = false
}

/// An agency system's connection to the gateway: one mTLS connection, JSON in and out, and
/// problems (RFC 9457) turned into readable errors.
struct GatewayClient {
    let connection: AccordHTTPConnection
    let agency: String
    let pki: URL

    static func connect(_ options: ClientOptions) async throws -> GatewayClient {
        guard let colon = options.gateway.lastIndex(of: ":"), let port = Int(options.gateway[options.gateway.index(after: colon)...]) else {
            throw ValidationError("--gateway takes host:port, e.g. localhost:8443")
        }
        let host = String(options.gateway[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let pki = URL(fileURLWithPath: options.pki)
        let context = try TLSContext.agencyClient(pkiDirectory: pki, agency: options.agency, serverName: host)
        let connection = try await AccordHTTPConnection.connect(host: host, port: port, context: context)
        return GatewayClient(connection: connection, agency: options.agency, pki: pki)
    }

    /// The response body when the status is one of `accepted`; otherwise the problem, as an error.
    func call(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil, accepted: Set<Int> = [200]) async throws -> HTTPClientResponse {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await connection.request(method: method, path: path, headers: headers, body: body)
        guard accepted.contains(response.status) else { throw GatewayRefusal(response: response) }
        return response
    }

    /// `call`, then the answer read with the strict parser into `type`: an answer that does not
    /// read is an error naming the request and the member at fault.
    func read<T: Decodable>(_ type: T.Type, _ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil,
                            accepted: Set<Int> = [200]) async throws -> (value: T, response: HTTPClientResponse) {
        let response = try await call(method, path, body: body, contentType: contentType, accepted: accepted)
        return (try Self.decode(type, response.body, answering: "\(method) \(path)"), response)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: [UInt8], answering request: String) throws -> T {
        do { return try JSONValueDecoder().decode(type, from: body) } catch {
            throw UnreadableAnswer(request: request, problem: error.description)
        }
    }

    func close() async { await connection.close() }
}

/// An answer from the gateway that is not what its API documents.
struct UnreadableAnswer: Error, CustomStringConvertible {
    let request: String
    let problem: String

    var description: String { "the gateway's answer to \(request) does not read: \(problem)" }
}

/// A problem the gateway answered, printed as `<status> <code>: <detail>`.
struct GatewayRefusal: Error, CustomStringConvertible {
    let status: Int
    let code: String
    let detail: String

    init(response: HTTPClientResponse) {
        status = response.status
        let problem = try? JSONParser.parse(response.body)
        code = problem?["code"]?.stringValue ?? "http-\(response.status)"
        detail = problem?["detail"]?.stringValue ?? response.bodyText
    }

    var description: String { "refused (\(status) \(code)): \(detail)" }
}
