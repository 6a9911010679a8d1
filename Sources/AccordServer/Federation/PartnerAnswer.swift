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

    private static func isCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F }
    }
}
