import Foundation

/// `<database>.activate`: the files digest `accord agreements activate --digest` asks the
/// gateway to activate. A signal carries no data, so the version reviewed travels beside it;
/// the gateway takes the file on SIGHUP and activates only if the files are still that
/// version. A SIGHUP without the file (`systemctl reload`) activates the directory as it is.
public struct ActivationRequest: Sendable {
    public let path: String

    public init(database: String) { path = database + ".activate" }

    public func write(reviewed digest: String) throws {
        try (digest + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The digest asked for, removing the request so that it applies to one activation only.
    public func take() -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        try? FileManager.default.removeItem(atPath: path)
        let digest = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return digest.isEmpty ? nil : digest
    }
}
