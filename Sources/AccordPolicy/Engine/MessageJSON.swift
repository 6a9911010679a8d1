public import Foundation

extension MessageRouting {
    /// Registered and routing claims, which are not claims about anyone.
    static let routingKeys: Set<String> = ["iss", "jti", "iat", "exp", "nbf", "accord", "cnf", "_sd", "_sd_alg"]

    /// Reads a message written as JSON (the clear-text payload shape): `iss`, an `accord` object
    /// with `type`, `to`, `purpose`, `classification` and optional `agreement` and `case_ref`, and
    /// the claims. Claim values are only walked for their paths and are not kept.
    public init(json data: Data) throws(PolicyError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw PolicyError(.invalidMessage, "the message is not a JSON object")
        }
        guard let iss = object["iss"] as? String, let accord = object["accord"] as? [String: Any],
              let type = accord["type"] as? String, let to = accord["to"] as? [String],
              let purpose = accord["purpose"] as? String, let classification = accord["classification"] as? String
        else {
            throw PolicyError(.invalidMessage,
                              "the message needs 'iss' and an 'accord' object with type, to (a list of agency ids), purpose and classification")
        }
        var paths: [String] = []
        for key in object.keys.sorted() where !Self.routingKeys.contains(key) {
            Self.collect(object[key]!, path: key, into: &paths)
        }
        self.init(issuer: iss, type: type, to: to, purpose: purpose, classification: classification,
                  agreement: accord["agreement"] as? String, caseRef: accord["case_ref"] as? String, claimPaths: paths)
    }

    /// Leaf paths in key order, `[*]` for array elements; an empty object or array is a leaf.
    private static func collect(_ value: Any, path: String, into paths: inout [String]) {
        if let object = value as? [String: Any], !object.isEmpty {
            for key in object.keys.sorted() { collect(object[key]!, path: "\(path).\(key)", into: &paths) }
        } else if let array = value as? [Any], !array.isEmpty {
            for element in array { collect(element, path: "\(path)[*]", into: &paths) }
        } else if !paths.contains(path) {
            paths.append(path)
        }
    }
}
