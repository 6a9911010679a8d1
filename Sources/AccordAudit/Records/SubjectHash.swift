/// A keyed hash of one identifier value (a passport number, a client id), never the value:
/// `type` names the kind of identifier, `hmac` is the lower-case hex HMAC-SHA-256.
public struct SubjectHash: Sendable, Hashable, Codable {
    public let type: String
    public let hmac: String

    public init(type: String, hmac: String) {
        self.type = type
        self.hmac = hmac
    }
}
