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

/// JSON responses, in RFC 8785 canonical form through the one writer (AccordCore).
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes(value))))
    }

    /// The body `make` sends; push delivery POSTs an inbox item with it, so that what is pushed
    /// is byte for byte what a poll hands out (docs/api.md, "Push delivery").
    static func bytes(_ value: some Encodable) -> [UInt8] {
        // The response types hold strings, integers and finite numbers, which always encode.
        (try? JSONValueEncoder().canonicalBytes(value)) ?? Array("{}".utf8)
    }
}
