import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real server (python3, openssl, `accord serve`) run in the background for a client under
/// test: its first lines are read as they come (a port, say), the rest once it exits.
public final class BackgroundProcess: @unchecked Sendable {
    // INVARIANT: `readLine` calls finish before `finish` is called; the output is then read by
    // one thread at a time.
    private let child: ChildProcess
    private let standardOutput: FileHandle
    private let errorFile: URL

    /// Starts `executable` (looked up on PATH) with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("accord-stderr-\(UUID().uuidString)")
        let pipe = try ChildProcess.pipe()
        defer { close(pipe.write) }
        standardOutput = pipe.read
        child = try ChildProcess(executable, arguments, output: .descriptor(pipe.write), error: .file(errorFile.path))
    }

    deinit {
        if child.isRunning { kill(child.processIdentifier, SIGTERM) }
        try? FileManager.default.removeItem(at: errorFile)
    }

    /// The child's pid, to signal it.
    public var processIdentifier: Int32 { child.processIdentifier }

    /// Whether the child has not exited yet.
    public var isRunning: Bool { child.isRunning }

    /// The next line of standard output, without its newline; nil at end of output.
    public func readLine() async -> String? {
        let handle = standardOutput
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
        let handle = standardOutput
        let rest: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
        let status = await child.wait().status
        return ExternalProcess.Output(
            status: status,
            standardOutput: String(decoding: rest, as: UTF8.self),
            standardError: standardErrorSoFar
        )
    }
}
