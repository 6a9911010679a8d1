import Foundation

/// Runs the `accord` executable that `swift test` builds beside the test bundle.
enum AccordProcess {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

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

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = Repository.agreements.deletingLastPathComponent()
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
    }

    /// A scratch copy of the repository's `Agreements/`.
    static func copyOfAgreements() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("accord-agreements-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: Repository.agreements, to: directory)
        return directory
    }
}
