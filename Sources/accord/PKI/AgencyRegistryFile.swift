import ArgumentParser
import Foundation
import Yams

/// The two fields of `Agreements/agencies.yaml` the PKI needs: each agency's id and name.
/// The full registry is read and validated by AccordPolicy.
struct AgencyRegistryFile: Decodable {
    struct Entry: Decodable {
        let id: String
        let name: String
    }

    let agencies: [Entry]

    static func load(path: String) throws -> [Entry] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the agency registry \(path); run from the repository root or pass --agencies")
        }
        do {
            return try YAMLDecoder().decode(AgencyRegistryFile.self, from: text).agencies
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }
}
