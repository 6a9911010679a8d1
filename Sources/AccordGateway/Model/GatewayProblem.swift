import AccordStore
/// A refusal as RFC 9457 problem details: a stable `code` (the last part of `type`), the HTTP
/// status, a short title and a detail naming what was wrong and where, never a payload value.
public struct GatewayProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: String
    public let status: Int
    public let title: String
    public let detail: String
    /// Seconds a client should wait before retrying (429, 503).
    public var retryAfter: Int?
    /// The message concerned, when the refusal is about one the gateway could identify.
    public var messageID: String?

    public init(code: String, status: Int, title: String, detail: String, retryAfter: Int? = nil, messageID: String? = nil) {
        self.code = code
        self.status = status
        self.title = title
        self.detail = detail
        self.retryAfter = retryAfter
        self.messageID = messageID
    }

    /// Problem types are URNs: stable names that do not pretend to resolve (docs/api.md lists them).
    public static let typePrefix = "urn:accord:problem:"

    public var type: String { Self.typePrefix + code }

    public var description: String { "\(code) (\(status)): \(detail)" }
}

extension GatewayProblem {
    static func badRequest(_ code: String, _ detail: String) -> GatewayProblem {
        GatewayProblem(code: code, status: 400, title: "The message is not acceptable", detail: detail)
    }

    static func forbidden(_ code: String, _ detail: String) -> GatewayProblem {
        GatewayProblem(code: code, status: 403, title: "No agreement permits this", detail: detail)
    }

    static func notFound(_ what: String) -> GatewayProblem {
        GatewayProblem(code: "not-found", status: 404, title: "Not found", detail: "\(what) does not exist or is not yours to see")
    }

    /// A submission the store could not write: nothing was accepted. A full disk is named, and
    /// answered with a longer pause, since space does not come back within a second.
    static func storing(_ error: StoreError) -> GatewayProblem {
        if error.code == .storageFull {
            return GatewayProblem(code: "storage-full", status: 503, title: "The gateway's storage is full",
                                  detail: "the gateway's database has no space left; nothing was accepted, retry later", retryAfter: 30)
        }
        return .unavailable("the gateway could not store the message (\(error.code.rawValue)); nothing was accepted, retry")
    }

    static func unavailable(_ detail: String) -> GatewayProblem {
        GatewayProblem(code: "unavailable", status: 503, title: "The gateway cannot take this now", detail: detail, retryAfter: 1)
    }
}
