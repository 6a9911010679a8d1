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

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
