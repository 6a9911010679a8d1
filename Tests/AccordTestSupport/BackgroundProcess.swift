import Foundation

/// A real server (python3, openssl) run in the background for a client under test: its
/// first lines are read as they come (a port, say), the rest once it exits.
public final class BackgroundProcess: @unchecked Sendable {
    // INVARIANT: `readLine` calls finish before `finish` is called; the handles are then read
    // by one thread at a time.
    private let process = Process()
    private let standardOutput = Pipe()
    private let errorFile: URL

    /// Starts `executable` (looked up on PATH) with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("accord-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardOutput = standardOutput
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: errorFile)
    }

    /// The child's pid, to signal it.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { process.isRunning }

    /// The next line of standard output, without its newline; nil at end of output.
    public func readLine() async -> String? {
        let handle = standardOutput.fileHandleForReading
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var line: [UInt8] = []
                while true {
                    let byte = handle.readData(ofLength: 1)
                    guard let first = byte.first else {
                        continuation.resume(returning: line.isEmpty ? nil : String(decoding: line, as: UTF8.self))
                        return
                    }
                    if first == UInt8(ascii: "\n") { break }
                    line.append(first)
                }
                continuation.resume(returning: String(decoding: line, as: UTF8.self))
            }
        }
    }

    /// What the process has written to standard error so far, while it runs.
    public var standardErrorSoFar: String {
        String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
    }

    /// Waits for the process to exit and returns the rest of its output.
    public func finish() async -> ExternalProcess.Output {
        let process = self.process
        let handle = standardOutput.fileHandleForReading
        let errorFile = self.errorFile
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let rest = handle.readDataToEndOfFile()
                process.waitUntilExit()
                let errors = (try? Data(contentsOf: errorFile)) ?? Data()
                continuation.resume(returning: ExternalProcess.Output(
                    status: process.terminationStatus,
                    standardOutput: String(decoding: rest, as: UTF8.self),
                    standardError: String(decoding: errors, as: UTF8.self)
                ))
            }
        }
    }
}
