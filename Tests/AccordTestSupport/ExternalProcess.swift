public import Foundation

/// Runs a real external client (a Python script, openssl, curl) and collects what it printed.
public struct ExternalProcess: Sendable {
    public struct Output: Sendable {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// Runs `executable` (looked up on PATH) with `arguments`, feeding `input` on standard input,
    /// and waits for it to exit without holding a thread. Every test of the bundle shares Swift's
    /// cooperative pool, one thread per core, and Dispatch adds a thread at most once a second:
    /// tests that each held a thread while their client ran stalled the servers and the clients
    /// of all the others (two CI runs lost a test to it). The output goes to files, which a
    /// child that leaves a daemon behind cannot hold open.
    public static func run(_ executable: String, _ arguments: [String], input: String? = nil, directory: URL? = nil) async throws -> Output {
        let files = try OutputFiles(input: input)
        defer { files.remove() }
        let child = try files.start(executable, arguments, directory: directory)
        return files.output(status: await child.wait().status)
    }

    /// Runs `Tests/Interop/<script>` in the test environment's Python (`PythonEnvironment`),
    /// which the first call may wait for while it is made. A module missing there is reported
    /// as missing from the requirements.
    public static func python(_ script: String, _ arguments: [String] = [], input: String? = nil) async throws -> Output {
        let path = PackageRoot.url.appendingPathComponent("Tests/Interop/\(script)").path
        let output = try await run(PythonEnvironment.interpreter(), [path] + arguments, input: input)
        if output.standardError.contains("ModuleNotFoundError") {
            throw InteropSetupError(message: "a Python module is missing from Tests/Interop/requirements.txt (\(output.standardError.split(separator: "\n").last ?? ""))")
        }
        return output
    }

    /// `run` blocking its thread until the child exits: only for code that already runs on a
    /// thread of its own (making the Python environment) or once per process (a static).
    static func runBlocking(_ executable: String, _ arguments: [String]) throws -> Output {
        let files = try OutputFiles(input: nil)
        defer { files.remove() }
        let child = try files.start(executable, arguments, directory: nil)
        return files.output(status: child.waitBlocking().status)
    }
}

/// Temporary files for a child's standard input, output and error.
private struct OutputFiles {
    let input: URL
    let output: URL
    let error: URL

    init(input text: String?) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("accord-process-\(UUID().uuidString)")
        input = base.appendingPathExtension("in")
        output = base.appendingPathExtension("out")
        error = base.appendingPathExtension("err")
        try Data((text ?? "").utf8).write(to: input)
    }

    func start(_ executable: String, _ arguments: [String], directory: URL?) throws -> ChildProcess {
        try ChildProcess(executable, arguments, directory: directory?.path,
                         input: .file(input.path), output: .file(output.path), error: .file(error.path))
    }

    func output(status: Int32) -> ExternalProcess.Output {
        ExternalProcess.Output(
            status: status,
            standardOutput: String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self),
            standardError: String(decoding: (try? Data(contentsOf: error)) ?? Data(), as: UTF8.self)
        )
    }

    func remove() {
        for file in [input, output, error] { try? FileManager.default.removeItem(at: file) }
    }
}

/// The interoperability tests cannot run because a real client is not installed.
public struct InteropSetupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
