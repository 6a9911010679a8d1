import AccordTestSupport
import Foundation

/// Runs the `accord` executable that `swift test` builds beside the test bundle.
enum AccordProcess {
    static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("accord")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return Repository.agreements.deletingLastPathComponent().appendingPathComponent(".build/debug/accord")
    }

    /// Runs `accord` with `arguments` in the package root, without holding a thread while it runs.
    static func run(_ arguments: [String]) async throws -> ExternalProcess.Output {
        try await ExternalProcess.run(executable.path, arguments, directory: Repository.agreements.deletingLastPathComponent())
    }

    /// A scratch copy of the repository's `Agreements/`.
    static func copyOfAgreements() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("accord-agreements-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: Repository.agreements, to: directory)
        return directory
    }
}
