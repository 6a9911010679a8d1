import AccordCore
import AccordGateway
import Foundation
import Hummingbird

/// Turns a `GatewayProblem` into an RFC 9457 `application/problem+json` response.
enum ProblemResponse {
    static func make(_ problem: GatewayProblem, instance: String? = nil) -> Response {
        var body: [String: JSONValue] = [
            "type": .string(problem.type), "title": .string(problem.title), "status": .integer(problem.status),
            "detail": .string(problem.detail), "code": .string(problem.code),
        ]
        if let instance { body["instance"] = .string(instance) }
        if let messageID = problem.messageID { body["message_id"] = .string(messageID) }
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = problem.retryAfter {
            headers[.retryAfter] = String(retryAfter)
            body["retry_after"] = .integer(retryAfter)
        }
        // Strings and small integers (a status, seconds to wait) always have a canonical form.
        let bytes = (try? CanonicalJSON.encode(.object(body))) ?? []
        return Response(status: .init(code: problem.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
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
