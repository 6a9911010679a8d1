import AccordClient
import AccordCrypto
import AccordGateway
import AccordTLS
import AccordTestSupport
import Foundation
import Testing

/// The agency API answers as docs/openapi.yaml says, for requests outside it too: a limit
/// below 1, a cursor the gateway never wrote, a method a path does not take.
@Suite struct ApiContractTests {
    @Test func requestsOutsideTheContractAreRefusedWithTheirCodes() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let context = try TLSContext.agencyClient(pkiDirectory: gateway.pki.directory, agency: "nz.police", serverName: "localhost")
            let client = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            var exchanges: [[String: Any]] = []
            func send(_ method: String, _ path: String, body: String? = nil, type: String? = nil) async throws -> HTTPClientResponse {
                let response = try await client.request(method: method, path: path, headers: type.map { [("Content-Type", $0)] } ?? [],
                                                        body: body.map { Array($0.utf8) })
                var exchange: [String: Any] = ["method": method, "path": path, "status": response.status,
                                               "content_type": response.header("Content-Type") ?? "", "body": response.bodyText]
                if let allow = response.header("Allow") { exchange["allow"] = allow }
                if let body { exchange["request_body"] = body }
                exchanges.append(exchange)
                return response
            }
            func code(_ response: HTTPClientResponse) -> String? {
                (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["code"] as? String
            }

            for limit in ["0", "-1", "+5", "five"] {
                let response = try await send("GET", "/v1/inbox?limit=\(limit)")
                #expect(response.status == 400 && code(response) == "invalid-limit", "limit=\(limit): \(response.status) \(response.bodyText)")
            }
            let first = try await send("GET", "/v1/inbox?limit=1")
            #expect(first.status == 200)
            for cursor in ["+5", "00005", "5.0", "-1", "", "99999999999999999999", "5000"] {
                let response = try await send("GET", "/v1/inbox?after=\(cursor)")
                #expect(response.status == 400 && code(response) == "invalid-cursor", "after=\(cursor): \(response.status) \(response.bodyText)")
            }
            #expect(try await send("GET", "/v1/inbox?after=0").status == 200)

            let wrongMethods: [(String, String, String)] = [
                ("DELETE", "/v1/inbox", "GET, HEAD"), ("GET", "/v1/messages", "POST"), ("PUT", "/v1/agreements", "GET, HEAD"),
                ("GET", "/v1/inbox/d-x/ack", "POST"), ("POST", "/v1/messages/m-x", "GET, HEAD"), ("POST", "/healthz", "GET, HEAD"),
            ]
            for (method, path, allow) in wrongMethods {
                let response = try await send(method, path)
                #expect(response.status == 405 && response.header("Allow") == allow && code(response) == "method-not-allowed",
                        "\(method) \(path): \(response.status) \(response.header("Allow") ?? "no Allow")")
            }
            let notAnSDJWT = try await send("POST", "/v1/messages", body: "{\"iss\":\"nz.police\"}", type: "application/sd-jwt")
            #expect(notAnSDJWT.status == 400)
            await client.close()
            #expect(try await openAPIFailures(exchanges, in: gateway.directory) == [])
        }
    }
}
