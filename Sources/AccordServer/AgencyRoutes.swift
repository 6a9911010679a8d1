import AccordCore
import AccordCrypto
import AccordGateway
import AccordTLS
import Foundation
import Hummingbird
import NIOCore

/// The agency API (docs/api.md, docs/openapi.yaml). Every `/v1` route runs behind
/// `AgencyGuard`, so the caller is a verified agency within its limits.
struct AgencyRoutes: Sendable {
    let gateway: Gateway
    let maxBodyBytes: Int
    let rateLimiter: RateLimiter

    func register(on router: Router<GatewayRequestContext>) {
        let api = router.group("v1").add(middleware: AgencyGuard(rateLimiter: rateLimiter))
        api.post("messages") { request, context in try await submit(request, context) }
        api.get("messages/:id") { _, context in
            let id = try context.parameters.require("id")
            return JSONResponse.make(try await gateway.status(of: MessageID(id), for: agency(context)))
        }
        api.get("inbox") { request, context in
            let limit = request.uri.queryParameters["limit"].map { Self.integer(String($0)) }
            if let limit, limit == nil {
                throw GatewayProblem(code: "invalid-limit", status: 400, title: "Bad request", detail: "'limit' must be a whole number of at least 1")
            }
            let after = request.uri.queryParameters["after"].map(String.init)
            return InboxResponse.make(try await gateway.inbox(for: agency(context), after: after, limit: limit ?? nil))
        }
        api.post("inbox/:id/ack") { _, context in
            let id = try context.parameters.require("id")
            return JSONResponse.make(try await gateway.acknowledge(deliveryID: DeliveryID(id), by: agency(context)))
        }
        api.get("agreements") { _, context in
            JSONResponse.make(try gateway.permittedFlows(for: try agency(context)))
        }
        api.get("keys") { _, _ in
            JSONResponse.make(GatewayPublicKeys(binding: gateway.bindingKey, previousBinding: gateway.bindingKeys.previous,
                                                auditVerifierKey: gateway.auditVerifierKey))
        }
        let paths: [(RouterPath, [HTTPRequest.Method])] = [
            ("messages", [.post]), ("messages/:id", [.get]), ("inbox", [.get]), ("inbox/:id/ack", [.post]),
            ("agreements", [.get]), ("keys", [.get]),
        ]
        for (path, allowed) in paths { MethodNotAllowed.register(path, allowing: allowed, on: api) }
    }

    /// A query integer as docs/openapi.yaml writes one: an optional minus and digits, so that
    /// "+5" is refused rather than read as 5.
    static func integer(_ text: String) -> Int? {
        let digits = text.hasPrefix("-") ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    private func agency(_ context: GatewayRequestContext) throws -> AgencyID {
        // AgencyGuard has admitted only agencies.
        guard let agency = context.peer?.agencyID else { throw HTTPError(.forbidden) }
        return AgencyID(agency)
    }

    private func submit(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        let agency = try agency(context)
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard contentType == "application/sd-jwt" else {
            throw GatewayProblem(code: "unsupported-media-type", status: 415, title: "Unsupported media type",
                                 detail: "POST /v1/messages takes the SD-JWT as 'application/sd-jwt', not '\(contentType ?? "none")'")
        }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxBodyBytes)
        } catch {
            throw GatewayProblem(code: "body-too-large", status: 413, title: "The message is too large",
                                 detail: "the body exceeds the limit of \(maxBodyBytes) bytes")
        }
        // Whitespace around the body (a trailing newline from a file or a shell) is not part of
        // the serialization; trimmed on the bytes, which costs far less than on a String.
        let text = buffer.withUnsafeReadableBytes { bytes in
            let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
            let end = (bytes.lastIndex { !isSpace($0) }).map { $0 + 1 } ?? start
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<max(start, end)]), as: UTF8.self)
        }
        let receipt = try await gateway.submit(text, from: agency)
        var response = Response(status: receipt.replayed ? .ok : .accepted, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(bytes: receipt.json)))
        response.headers[.location] = "/v1/messages/\(receipt.messageID)"
        return response
    }
}

/// `GET /v1/keys`: the key agencies name in `cnf.jwk`, the previous binding keys still
/// accepted after a rotation, and the verifier key of the audit log's checkpoints.
struct GatewayPublicKeys: Encodable {
    let binding: JWK
    let previousBinding: [JWK]
    let auditVerifierKey: String

    enum CodingKeys: String, CodingKey {
        case binding
        case previousBinding = "previous_binding"
        case auditVerifierKey = "audit_verifier_key"
    }
}
