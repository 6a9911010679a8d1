import AccordCore
import AccordCrypto

/// How a forward's answer from a partner gateway is read (docs/federation.md, "A refusal is
/// reported back"). A 4xx is the partner's decision about this delivery and is final; a 408,
/// a 429, a 5xx or no answer are transient and retried like any push.
enum PartnerAnswer {
    /// The partner's reason when `status` refuses the delivery for good, else nil. The reason
    /// is the problem document's `code` when it is a plain code, otherwise `http-<status>`:
    /// nothing else of the body is kept, so no payload value can reach the log or the audit.
    static func refusal(status: Int, body: [UInt8]) -> String? {
        guard (400..<500).contains(status), status != 408, status != 429 else { return nil }
        if let problem = try? JSONParser.parse(body), let code = problem["code"]?.stringValue, isCode(code) {
            return code
        }
        return "http-\(status)"
    }

    /// What our acknowledgement records of a partner's receipt: the partner, its audit leaf and
    /// checkpoint size, and a digest of its signed receipt, so our log names its leaf. Only
    /// numbers and a digest are kept from the body; a receipt that does not parse is recorded as
    /// missing rather than blocking the acknowledgement of a delivery the partner took.
    static func receipt(partner: String, body: [UInt8]) -> [String: String] {
        var details = ["partner": partner]
        guard let receipt = try? JSONParser.parse(body), let leaf = receipt["audit_leaf"]?.integerValue, leaf >= 0 else {
            details["partner_receipt"] = "unreadable"
            return details
        }
        details["partner_leaf"] = String(leaf)
        if let size = receipt["checkpoint_size"]?.integerValue, size >= 0 { details["partner_checkpoint_size"] = String(size) }
        if let signed = receipt["receipt"]?.stringValue { details["partner_receipt_digest"] = "sha-256:" + Hex.encode(SHA256.hash(Array(signed.utf8))) }
        return details
    }

    private static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }
}
