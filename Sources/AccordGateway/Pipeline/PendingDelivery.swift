import AccordCore
import AccordAudit

/// What a delivery keeps between acceptance and pick-up: the SD-JWT already redacted for its
/// recipient and the decision the gateway will bind into the KB-JWT. Stored as the delivery's
/// `presentation` column; the KB-JWT itself is made when the recipient pulls it, so that its
/// `iat` is fresh and `accord.audit_leaf` names the leaf recording that delivery.
struct PendingDelivery: Equatable {
    var version = 1
    let redacted: String
    let from: String
    let type: String
    let purpose: String
    let agreement: String
    let agreementDigest: String
    let withheld: [String]
    let receivedMilliseconds: Int64
    /// The flow's handling code; nil in rows written before it was kept.
    var handling: String? = nil
    /// Keyed hashes of the identifiers this recipient is given; nil in rows written before
    /// they were kept.
    var subjects: [SubjectHash]? = nil
    /// The thumbprint of the binding key the message names in `cnf.jwk`; nil in rows written
    /// before binding keys rotated (the current key then).
    var binding: String? = nil

    /// RFC 8785 canonical JSON, written directly: this runs for every recipient of every
    /// submission, where Foundation's `JSONEncoder` was a measurable share of the CPU.
    /// Rows written earlier by `JSONEncoder` (the same members, sorted keys too) still decode.
    func encoded() -> String {
        var members: [String: JSONValue] = [
            "v": .integer(Int64(version)), "sd_jwt": .string(redacted), "from": .string(from), "type": .string(type),
            "purpose": .string(purpose), "agreement": .string(agreement), "agreement_digest": .string(agreementDigest),
            "withheld": .array(withheld.map(JSONValue.string)), "received_ms": .integer(receivedMilliseconds),
        ]
        if let handling { members["handling"] = .string(handling) }
        if let binding { members["binding"] = .string(binding) }
        if let subjects {
            members["subjects"] = .array(subjects.map { .object(["type": .string($0.type), "hmac": .string($0.hmac)]) })
        }
        let value = JSONValue.object(members)
        // Strings and an integer of milliseconds since 1970 are always encodable.
        return String(decoding: (try? CanonicalJSON.encode(value)) ?? [], as: UTF8.self)
    }

    /// Reads a stored envelope with the strict parser; nil for a row that is not one.
    static func decode(_ text: String?) -> PendingDelivery? {
        guard let text, case .object(let members)? = try? JSONParser.parse(text) else { return nil }
        func string(_ key: String) -> String? { members[key]?.stringValue }
        func strings(_ value: JSONValue?) -> [String]? {
            guard let elements = value?.arrayValue else { return nil }
            let texts = elements.compactMap(\.stringValue)
            return texts.count == elements.count ? texts : nil
        }
        guard let version = members["v"]?.integerValue, let redacted = string("sd_jwt"), let from = string("from"),
              let type = string("type"), let purpose = string("purpose"), let agreement = string("agreement"),
              let agreementDigest = string("agreement_digest"), let withheld = strings(members["withheld"]),
              let received = members["received_ms"]?.integerValue
        else { return nil }
        var subjects: [SubjectHash]?
        if let value = members["subjects"], value != .null {
            guard let elements = value.arrayValue else { return nil }
            subjects = []
            for element in elements {
                guard let type = element["type"]?.stringValue, let hmac = element["hmac"]?.stringValue else { return nil }
                subjects?.append(SubjectHash(type: type, hmac: hmac))
            }
        }
        return PendingDelivery(
            version: version, redacted: redacted, from: from, type: type, purpose: purpose, agreement: agreement,
            agreementDigest: agreementDigest, withheld: withheld, receivedMilliseconds: Int64(received),
            handling: string("handling"), subjects: subjects, binding: string("binding"))
    }
}
