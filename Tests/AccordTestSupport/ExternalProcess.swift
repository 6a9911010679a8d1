public import Foundation

/// Runs a real external client (a Python script, openssl, curl) and collects what it printed.
public struct ExternalProcess: Sendable {
    public struct Output: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// Runs `executable` (looked up on PATH) with `arguments`, feeding `input` on standard input.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil, directory: URL? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        if let directory { process.currentDirectoryURL = directory }
        let stdout = Pipe()
        // Standard error goes to a file so that a chatty child cannot block on a full pipe
        // while standard output is being read.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("accord-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let stderr = try FileHandle(forWritingTo: errorFile)
        defer { try? stderr.close() }
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let outData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = (try? Data(contentsOf: errorFile)) ?? Data()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self)
        )
    }

    /// Runs `Tests/Interop/<script>` in the test environment's Python (`PythonEnvironment`).
    /// A module missing there is reported as missing from the requirements.
    public static func python(_ script: String, _ arguments: [String] = [], input: String? = nil) throws -> Output {
        let path = PackageRoot.url.appendingPathComponent("Tests/Interop/\(script)").path
        let output = try run(PythonEnvironment.interpreter(), [path] + arguments, input: input)
        if output.standardError.contains("ModuleNotFoundError") {
            throw InteropSetupError(message: "a Python module is missing from Tests/Interop/requirements.txt (\(output.standardError.split(separator: "\n").last ?? ""))")
        }
        return output
    }
}

/// The interoperability tests cannot run because a real client is not installed.
public struct InteropSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension ExternalProcess {
    /// `run` on a Dispatch thread, so that a test waiting for a client never blocks Swift's
    /// cooperative pool, which the server under test needs to answer that client.
    public static func runDetached(_ executable: String, _ arguments: [String], input: String? = nil, directory: URL? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try run(executable, arguments, input: input, directory: directory) })
            }
        }
    }

    /// `python` on a Dispatch thread, for the same reason; the first call may also wait there
    /// while the Python environment is made.
    public static func pythonDetached(_ script: String, _ arguments: [String] = [], input: String? = nil) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try python(script, arguments, input: input) })
            }
        }
    }
}
