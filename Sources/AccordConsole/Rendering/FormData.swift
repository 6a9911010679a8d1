import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body or a query string. A repeated
/// name keeps every value, in order.
struct FormData: Sendable {
    private(set) var fields: [(name: String, value: String)] = []

    init(encoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields.append((name, value))
        }
    }

    static func read(_ request: Request, context: ConsoleRequestContext) async throws -> FormData {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return FormData(encoded: String(buffer: buffer))
    }

    /// The first value of `name`, trimmed; nil when absent or blank.
    subscript(name: String) -> String? {
        let value = fields.first { $0.name == name }?.value.trimmingCharacters(in: .whitespacesAndNewlines)
        return value?.isEmpty == false ? value : nil
    }

    func all(_ name: String) -> [String] {
        fields.filter { $0.name == name }.map(\.value).filter { !$0.isEmpty }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
