import AccordTestSupport
import Foundation
import Testing

/// Finds the tools the process tests drive, failing with what to do when one is absent.
enum ProcessHelpers {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func accordExecutable() throws -> URL {
        let candidates = [".build/debug/accord", ".build/release/accord"].map { packageRoot.appendingPathComponent($0) }
            + [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("accord")]
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            Issue.record("the accord executable is not built: run `swift build --product accord` before these tests")
            throw CocoaError(.fileNoSuchFile)
        }
        return found
    }

    /// Runs `executable` without holding a thread while it runs; its output is standard output
    /// followed by standard error.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        let output = try await ExternalProcess.run(executable, arguments)
        return (output.status, output.standardOutput + output.standardError)
    }
}
