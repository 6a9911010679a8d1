import AccordPolicy
import ArgumentParser
import Foundation

/// Reads a message as JSON for `explain`: the routing claims in clear and the claims, whose
/// values are only walked for their paths.
enum MessageFile {
    /// Registered and routing claims that are not claims about anyone.
    static let routingKeys: Set<String> = ["iss", "jti", "iat", "exp", "nbf", "accord", "cnf", "_sd", "_sd_alg"]

    static func read(_ path: String) throws -> MessageRouting {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("\(path): cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ValidationError("\(path): not a JSON object")
        }
        guard let iss = object["iss"] as? String, let accord = object["accord"] as? [String: Any],
              let type = accord["type"] as? String, let to = accord["to"] as? [String],
              let purpose = accord["purpose"] as? String, let classification = accord["classification"] as? String
        else {
            throw ValidationError("\(path): needs 'iss' and an 'accord' object with type, to (a list), purpose and classification")
        }
        var paths: [String] = []
        for key in object.keys.sorted() where !routingKeys.contains(key) {
            collect(object[key]!, path: key, into: &paths)
        }
        return MessageRouting(issuer: iss, type: type, to: to, purpose: purpose, classification: classification,
                              agreement: accord["agreement"] as? String, caseRef: accord["case_ref"] as? String,
                              claimPaths: paths)
    }

    /// Leaf paths, `[*]` for array elements, in key order.
    static func collect(_ value: Any, path: String, into paths: inout [String]) {
        if let object = value as? [String: Any], !object.isEmpty {
            for key in object.keys.sorted() { collect(object[key]!, path: "\(path).\(key)", into: &paths) }
        } else if let array = value as? [Any], !array.isEmpty {
            for element in array { collect(element, path: "\(path)[*]", into: &paths) }
        } else if !paths.contains(path) {
            paths.append(path)
        }
    }
}
