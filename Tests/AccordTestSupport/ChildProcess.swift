public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawnp`, for every program the tests run. Not through
/// Foundation's `Process`: on Linux its `run()` reads past a buffer while listing
/// `/proc/self/fd` and crashed the whole test bundle now and then (a segmentation fault in
/// `Process.run`, fixed upstream in swift-corelibs-foundation after Swift 6.3.1), and it left
/// children with the test thread's blocked signals, so a SIGTERM never reached them.
///
/// The child gets an empty signal mask and default dispositions, the test process's
/// environment, and no descriptor of the test process beyond the three it is given.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// A file, opened for reading (standard input) or truncated for writing.
        case file(String)
        /// A descriptor of the test process, duplicated onto the stream; the caller closes its own.
        case descriptor(Int32)
    }

    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        /// The exit status, or the signal's number, as Foundation's `terminationStatus` gave it.
        public var status: Int32 {
            switch self {
            case .exited(let code), .signalled(let code): code
            }
        }
    }

    /// The child's pid, to signal it.
    public let processIdentifier: Int32
    private let termination = Mutex<Termination?>(nil)

    /// Starts `executable` (looked up on PATH unless it holds a slash) with `arguments`.
    public init(_ executable: String, _ arguments: [String], directory: String? = nil,
                input: Stream = .null, output: Stream = .null, error: Stream = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, descriptor) in [(input, STDIN_FILENO), (output, STDOUT_FILENO), (error, STDERR_FILENO)] {
            switch stream {
            case .null:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                let flags = descriptor == STDIN_FILENO ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC
                posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o600)
            case .descriptor(let source):
                posix_spawn_file_actions_adddup2(&actions, source, descriptor)
            }
        }
        guard GlibcSpawnExtensions.closeFrom(&actions, 3) == 0 else {
            throw ChildProcessError(message: "cannot start \(executable): posix_spawn_file_actions_addclosefrom_np failed")
        }
        if let directory, GlibcSpawnExtensions.changeDirectory(&actions, directory) != 0 {
            throw ChildProcessError(message: "cannot start \(executable) in \(directory)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else {
            throw ChildProcessError(message: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        processIdentifier = pid
    }

    /// A pipe for a child's output: the end to read, and the descriptor to hand the child as
    /// `.descriptor(_)` and close once it has started. Both close on exec, so that no other
    /// child holds the pipe open.
    public static func pipe() throws -> (read: FileHandle, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw ChildProcessError(message: "cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (FileHandle(fileDescriptor: ends[0], closeOnDealloc: true), ends[1])
    }

    /// How the child ended, or nil while it runs; reaps it once it has ended.
    public var ended: Termination? {
        termination.withLock { known in
            if let known { return known }
            var status: Int32 = 0
            guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return nil }
            known = Self.termination(status)
            return known
        }
    }

    /// Whether the child has not ended yet.
    public var isRunning: Bool { ended == nil }

    /// Waits for the child to end without holding a thread: it looks every few milliseconds,
    /// since a test that held a thread while its program ran stalled the rest of the bundle.
    public func wait() async -> Termination {
        var pause = 2
        while true {
            if let ended { return ended }
            await Self.sleep(milliseconds: pause)
            pause = min(pause * 2, 50)
        }
    }

    /// Waits for the child to end, blocking this thread: only for code on a thread of its own.
    public func waitBlocking() -> Termination {
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(processIdentifier, &status, 0) } while reaped < 0 && errno == EINTR
        // Not reaped here (ECHILD): `ended` reaped it, and recorded how, under the lock.
        return termination.withLock { known in
            if known == nil, reaped == processIdentifier { known = Self.termination(status) }
            return known ?? .exited(-1)
        }
    }

    private static func termination(_ status: Int32) -> Termination {
        status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    /// A pause that a cancelled task cannot cut short: the child is waited for either way.
    private static func sleep(milliseconds: Int) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
        }
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34) and `…_addchdir_np` (2.29), which
/// Swift's Glibc module does not declare: found by name in the C library at run time.
private enum GlibcSpawnExtensions {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static func closeFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return -1 }
        return unsafeBitCast(symbol, to: CloseFrom.self)(actions, lowest)
    }

    static func changeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return -1 }
        return path.withCString { unsafeBitCast(symbol, to: ChangeDirectory.self)(actions, $0) }
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
