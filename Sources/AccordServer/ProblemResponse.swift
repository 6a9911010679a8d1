import AccordGateway
import Foundation
import Hummingbird

/// Turns a `GatewayProblem` into an RFC 9457 `application/problem+json` response.
enum ProblemResponse {
    static func make(_ problem: GatewayProblem, instance: String? = nil) -> Response {
        var body: [String: Any] = [
            "type": problem.type, "title": problem.title, "status": problem.status, "detail": problem.detail, "code": problem.code,
        ]
        if let instance { body["instance"] = instance }
        if let messageID = problem.messageID { body["message_id"] = messageID }
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = problem.retryAfter {
            headers[.retryAfter] = String(retryAfter)
            body["retry_after"] = retryAfter
        }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// JSON responses with stable key order.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
