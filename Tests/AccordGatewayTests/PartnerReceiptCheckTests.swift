import AccordCore
import AccordCrypto
import Foundation
import Testing
@testable import AccordServer

/// What counts as a partner's acknowledgement of a forward (docs/federation.md, "The partner's
/// receipt"): each way a receipt can fall short, beside one that holds, and that what is
/// recorded is read from the signed payload, never from the unsigned fields around it.
@Suite struct PartnerReceiptCheckTests {
    static let pinned = try! PrivateKey.generate(.es256)
    static let root = Data(SHA256.hash(Array("the partner's tree".utf8))).base64EncodedString()

    /// The partner's signed claims; each case changes one thing.
    static let claims: [String: JSONValue] = [
        "delivery_id": "d-ours", "received_as": "d-theirs", "audit_leaf": .integer(5), "checkpoint_size": .integer(6),
        "checkpoint_root": .string(root), "iat": .integer(1_796_342_400),
    ]

    /// A partner's answer: the signed receipt and, around it, unsigned copies of its fields.
    static func answer(_ claims: [String: JSONValue] = claims, typ: String = "accord-receipt+jwt", key: PrivateKey = pinned,
                       outer: [String: JSONValue] = [:]) throws -> [UInt8] {
        let header = try CanonicalJSON.encode(["alg": .string(key.algorithm.jwsName), "typ": .string(typ)])
        let jws = try CompactJWS.sign(header: header, payload: try CanonicalJSON.encode(.object(claims)), signer: JWSSigner(key: key))
        var body = claims.merging(outer) { _, new in new }
        body["receipt"] = .string(jws)
        return try CanonicalJSON.encode(.object(body))
    }

    static func check(_ answer: [UInt8]) -> PartnerReceiptCheck {
        PartnerReceiptCheck(partner: "au.gateway", answer: answer, deliveryID: "d-ours", pinnedKey: pinned.publicKey)
    }

    @Test func aReceiptSignedWithThePinnedKeyForThisDeliveryIsRecordedFromItsSignedPayload() throws {
        // The unsigned copy claims another leaf and checkpoint: only the signed ones count.
        let answer = try Self.answer(outer: ["audit_leaf": .integer(99), "checkpoint_size": .integer(100)])
        guard case .verified(let details) = Self.check(answer) else {
            Issue.record("a good receipt was refused: \(Self.check(answer))")
            return
        }
        #expect(details["partner"] == "au.gateway" && details["partner_leaf"] == "5" && details["partner_received_as"] == "d-theirs")
        #expect(details["partner_checkpoint_size"] == "6" && details["partner_checkpoint_root"] == Self.root)
        #expect(details["partner_receipt_digest"]?.hasPrefix("sha-256:") == true)
    }

    @Test(arguments: [
        ("no receipt", "receipt-missing"),
        ("not a JWS", "receipt-malformed"),
        ("another type", "receipt-wrong-type"),
        ("another key", "receipt-signature-invalid"),
        ("another delivery", "receipt-names-another-delivery"),
        ("no leaf", "receipt-incomplete"),
        ("checkpoint without the leaf", "receipt-checkpoint-does-not-cover"),
        ("root not a hash", "receipt-checkpoint-does-not-cover"),
    ])
    func aReceiptThatFallsShortIsNotAnAcknowledgement(_ change: String, _ code: String) throws {
        var claims = Self.claims
        let answer: [UInt8]
        switch change {
        case "no receipt": answer = Array(#"{"audit_leaf": 5, "checkpoint_size": 6}"#.utf8)
        case "not a JWS": answer = Array(#"{"receipt": "not a JWS"}"#.utf8)
        case "another type": answer = try Self.answer(typ: "JWT")
        case "another key": answer = try Self.answer(key: try PrivateKey.generate(.es256))
        case "another delivery":
            claims["delivery_id"] = "d-someone-else"
            answer = try Self.answer(claims)
        case "no leaf":
            claims["audit_leaf"] = nil
            answer = try Self.answer(claims)
        case "checkpoint without the leaf":
            claims["checkpoint_size"] = .integer(5)
            answer = try Self.answer(claims)
        default:
            claims["checkpoint_root"] = "AAAA"
            answer = try Self.answer(claims)
        }
        #expect(Self.check(answer) == .unverifiable(code), "\(change)")
    }
}
