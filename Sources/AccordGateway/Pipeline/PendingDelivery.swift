import Foundation

/// What a delivery keeps between acceptance and pick-up: the SD-JWT already redacted for its
/// recipient and the decision the gateway will bind into the KB-JWT. Stored as the delivery's
/// `presentation` column; the KB-JWT itself is made when the recipient pulls it, so that its
/// `iat` is fresh and `accord.audit_leaf` names the leaf recording that delivery.
struct PendingDelivery: Codable, Equatable {
    var version = 1
    let redacted: String
    let from: String
    let type: String
    let purpose: String
    let agreement: String
    let agreementDigest: String
    let withheld: [String]
    let receivedMilliseconds: Int64

    enum CodingKeys: String, CodingKey {
        case version = "v"
        case redacted = "sd_jwt"
        case from, type, purpose, agreement, withheld
        case agreementDigest = "agreement_digest"
        case receivedMilliseconds = "received_ms"
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String?) -> PendingDelivery? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(PendingDelivery.self, from: Data(text.utf8))
    }
}
