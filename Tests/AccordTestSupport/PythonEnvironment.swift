public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Python that runs the clients in `Tests/Interop/`: a virtual environment in
/// `.build/interop-venv`, made on first use from `Tests/Interop/requirements.txt` (and
/// `requirements-no-deps.txt`) and reused while those files are unchanged, so that `swift test`
/// needs no `pip install` beforehand and never touches the machine's own Python packages.
public enum PythonEnvironment {
    /// Where the environment lives: under `.build/`, which git ignores, so that it is never
    /// committed and a fresh clone starts without it.
    public static var directory: URL { PackageRoot.url.appendingPathComponent(".build/interop-venv") }

    /// The environment's interpreter, made or remade first if needed. Concurrent tests in this
    /// process share one attempt and wait for it without holding a thread (the install takes a
    /// minute or more, and tests that each held one meanwhile stalled the rest of the bundle);
    /// other processes (another test bundle, a second `swift test`) wait on a file lock, so the
    /// environment is made once.
    public static func interpreter() async throws -> String {
        try await provisioning.value
    }

    /// Whether this machine has what making the environment takes: python3 and its `venv` and
    /// `ensurepip` modules, which Debian ships apart, in python3-venv. Anything else missing
    /// (a package on PyPI, say) is a failure, not a reason to skip.
    public static let canBeMade: Bool = {
        (try? ExternalProcess.runBlocking("python3", ["-c", "import venv, ensurepip"]).status) == 0
    }()

    /// Made at most once per process, on one Dispatch thread; a failure is kept so that every
    /// test that needs Python reports it rather than each retrying a slow install.
    private static let provisioning = Task<String, any Error> {
        try await offPool { try provision() }
    }

    private static let requirementFiles = ["requirements.txt", "requirements-no-deps.txt"]

    private static func provision() throws(ProvisioningError) -> String {
        let interop = PackageRoot.url.appendingPathComponent("Tests/Interop")
        let venv = directory
        let python = venv.appendingPathComponent("bin/python3").path
        let marker = venv.appendingPathComponent("accord-requirements")
        let wanted: String
        do {
            wanted = try requirementFiles.map { name in
                "# \(name)\n" + (try String(contentsOf: interop.appendingPathComponent(name), encoding: .utf8))
            }.joined(separator: "\n")
            try FileManager.default.createDirectory(at: venv.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw ProvisioningError(step: "reading \(interop.path)", output: "\(error)")
        }

        let lock = try FileLock(path: venv.path + ".lock")
        defer { lock.release() }

        // The marker holds the requirement files the environment was made from, written last:
        // an environment whose install was interrupted, or whose requirements changed, has no
        // matching marker and is made again. The interpreter is run too, because a Python
        // upgrade leaves the environment's links pointing at nothing.
        if (try? String(contentsOf: marker, encoding: .utf8)) == wanted,
           (try? ExternalProcess.runBlocking(python, ["-c", "pass"]).status) == 0 {
            return python
        }
        try? FileManager.default.removeItem(at: venv)
        let install = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        try step("python3 -m venv", "python3", ["-m", "venv", venv.path])
        try step("pip install -r requirements.txt", python, install + ["-r", interop.appendingPathComponent("requirements.txt").path])
        try step("pip install --no-deps -r requirements-no-deps.txt", python,
                 install + ["--no-deps", "-r", interop.appendingPathComponent("requirements-no-deps.txt").path])
        do { try wanted.write(to: marker, atomically: true, encoding: .utf8) } catch {
            throw ProvisioningError(step: "writing \(marker.path)", output: "\(error)")
        }
        return python
    }

    private static func step(_ name: String, _ executable: String, _ arguments: [String]) throws(ProvisioningError) {
        let output: ExternalProcess.Output
        do { output = try ExternalProcess.runBlocking(executable, arguments) } catch {
            throw ProvisioningError(step: name, output: "\(error)")
        }
        guard output.status == 0 else {
            throw ProvisioningError(step: name, output: output.standardError + output.standardOutput)
        }
    }
}

/// The Python environment for the interoperability tests could not be made.
public struct ProvisioningError: Error, CustomStringConvertible {
    public let step: String
    public let output: String
    public var description: String {
        "cannot make the Python test environment (\(PythonEnvironment.directory.path)): \(step) failed:\n\(output)"
    }
}

/// An exclusive `flock` on a file, held until released; the kernel drops it if the holder dies,
/// so a test run killed mid-install never leaves the next one waiting.
private struct FileLock {
    private let descriptor: Int32

    init(path: String) throws(ProvisioningError) {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ProvisioningError(step: "opening \(path)", output: String(cString: strerror(errno))) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw ProvisioningError(step: "locking \(path)", output: reason)
            }
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
