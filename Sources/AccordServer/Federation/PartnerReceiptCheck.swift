import AccordCore
import AccordCrypto
import Foundation

/// Whether a partner gateway's answer to a forward is an acknowledgement (docs/federation.md,
/// "The partner's receipt"): only a receipt signed with the partner's pinned binding key, for
/// this delivery, naming the partner's leaf and a checkpoint of its log that holds that leaf.
/// Anything else is not proof that the partner took the delivery, so the forward is retried.
enum PartnerReceiptCheck: Equatable {
    /// What our `message.acknowledged` records: the partner, its leaf, its covering checkpoint
    /// (size and root hash), its own delivery id and a digest of the signed receipt. Only ids,
    /// numbers and digests, each read from the signed payload.
    case verified([String: String])
    /// A code saying what was wrong, for the audit and the push record; never a body.
    case unverifiable(String)

    static let receiptType = "accord-receipt+jwt"

    init(partner: String, answer: [UInt8], deliveryID: DeliveryID, pinnedKey: PublicKey) {
        guard let body = try? JSONParser.parse(answer), let signed = body["receipt"]?.stringValue else {
            self = .unverifiable("receipt-missing")
            return
        }
        guard let jws = try? CompactJWS(parsing: signed), let header = try? JSONParser.parse(jws.header),
              let claims = try? JSONParser.parse(jws.payload) else {
            self = .unverifiable("receipt-malformed")
            return
        }
        guard header["typ"]?.stringValue == Self.receiptType, header["alg"]?.stringValue == pinnedKey.algorithm.jwsName else {
            self = .unverifiable("receipt-wrong-type")
            return
        }
        do { try jws.verify(with: JWSVerifier(key: pinnedKey)) } catch {
            self = .unverifiable("receipt-signature-invalid")
            return
        }
        guard claims["delivery_id"]?.stringValue == deliveryID.rawValue else {
            self = .unverifiable("receipt-names-another-delivery")
            return
        }
        guard let leaf = claims["audit_leaf"]?.integerValue, leaf >= 0, let receivedAs = claims["received_as"]?.stringValue,
              Self.isIdentifier(receivedAs) else {
            self = .unverifiable("receipt-incomplete")
            return
        }
        // The checkpoint must hold the leaf, or the partner's officer could not prove inclusion against it.
        guard let size = claims["checkpoint_size"]?.integerValue, size > leaf, let root = claims["checkpoint_root"]?.stringValue,
              Data(base64Encoded: root)?.count == 32 else {
            self = .unverifiable("receipt-checkpoint-does-not-cover")
            return
        }
        self = .verified([
            "partner": partner, "partner_leaf": String(leaf), "partner_received_as": receivedAs,
            "partner_checkpoint_size": String(size), "partner_checkpoint_root": root,
            "partner_receipt_digest": "sha-256:" + Hex.encode(SHA256.hash(Array(signed.utf8))),
        ])
    }

    private static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }
    }
}
