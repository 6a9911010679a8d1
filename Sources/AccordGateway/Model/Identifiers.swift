import AccordCore
import AccordCrypto
import Foundation

/// How the gateway names messages and deliveries.
enum Identifiers {
    /// A message id derived from its issuer and `jti`, so a resubmission finds the original
    /// without a second index: `m-` and 32 hex digits of SHA-256(iss 0x00 jti).
    static func messageID(issuer: AgencyID, jti: String) -> MessageID {
        MessageID("m-" + Hex.encode(Array(SHA256.hash(Array(issuer.rawValue.utf8) + [0] + Array(jti.utf8)).prefix(16))))
    }

    /// A random delivery id (`d-` and 32 hex digits); it is also the KB-JWT's `nonce`.
    static func deliveryID() -> DeliveryID {
        DeliveryID("d-" + Hex.encode((try? SecureRandom.bytes(16)) ?? Array(UUID().uuidString.utf8.prefix(16))))
    }

    static func submissionDigest(_ text: String) -> String {
        "sha-256:" + Hex.encode(SHA256.hash(Array(text.utf8)))
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
