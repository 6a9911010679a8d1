public import Foundation
public import AccordCore

/// A message written as JSON for `accord agreements explain`: the clear-text payload shape.
public enum MessageJSON {
    /// Registered and routing claims, which are not claims about anyone.
    static let routingKeys: Set<String> = ["iss", "jti", "iat", "exp", "nbf", "accord", "cnf", "_sd", "_sd_alg"]

    /// Reads a message written as JSON (the clear-text payload shape): `iss`, an `accord` object
    /// with `type`, `to`, `purpose`, `classification` and optional `agreement` and `case_ref`, and
    /// the claims. Claim values are only walked for their paths and are not kept.
    public static func read(_ data: Data) throws(PolicyError) -> (routing: RoutingClaims, claimPaths: [String]) {
        let value: JSONValue
        do { value = try JSONParser.parse([UInt8](data)) } catch {
            throw PolicyError(.invalidMessage, "the message is not JSON: \(error.reason)")
        }
        guard case .object(let object) = value else {
            throw PolicyError(.invalidMessage, "the message is not a JSON object")
        }
        let recipients = object["accord"]?["to"]?.arrayValue?.compactMap(\.stringValue)
        guard let iss = object["iss"]?.stringValue, let accord = object["accord"]?.objectValue,
              let type = accord["type"]?.stringValue, let to = recipients, to.count == accord["to"]?.arrayValue?.count,
              let purpose = accord["purpose"]?.stringValue, let classification = accord["classification"]?.stringValue
        else {
            throw PolicyError(.invalidMessage,
                              "the message needs 'iss' and an 'accord' object with type, to (a list of agency ids), purpose and classification")
        }
        var paths: [String] = []
        for key in object.keys.sorted() where !Self.routingKeys.contains(key) {
            Self.collect(object[key]!, path: key, into: &paths)
        }
        let routing = RoutingClaims(issuer: AgencyID(iss), type: type, recipients: to.map(AgencyID.init(rawValue:)), purpose: purpose,
                                    classification: classification, agreement: accord["agreement"]?.stringValue.map(AgreementID.init(rawValue:)),
                                    caseReference: accord["case_ref"]?.stringValue)
        return (routing, paths)
    }

    /// Leaf paths in key order, `[*]` for array elements; an empty object or array is a leaf.
    private static func collect(_ value: JSONValue, path: String, into paths: inout [String]) {
        if let object = value.objectValue, !object.isEmpty {
            for key in object.keys.sorted() { collect(object[key]!, path: "\(path).\(key)", into: &paths) }
        } else if let array = value.arrayValue, !array.isEmpty {
            for element in array { collect(element, path: "\(path)[*]", into: &paths) }
        } else if !paths.contains(path) {
            paths.append(path)
        }
    }
}
