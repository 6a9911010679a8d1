public import Foundation
import Synchronization

/// A throwaway PostgreSQL server: `initdb` in a temporary directory, `pg_ctl start` on a free
/// loopback port with its socket in that directory, stopped by pid and deleted afterwards.
/// PostgreSQL refuses to run as root, so as root it runs as `nobody`, which then owns the directory.
public final class PostgresCluster: Sendable {
    /// `postgresql://accord@127.0.0.1:<port>/postgres`, trust-authenticated on loopback.
    public let url: String
    public let port: Int
    private let directory: URL
    private let runAs: [String]
    private let binaries: URL
    /// The running postmaster's pid; 0 while the server is stopped.
    private let serverPID: Mutex<Int32>

    /// Whether the throwaway clusters can run here; on CI (`CI` set) they must, and a missing
    /// program fails the test instead of skipping it.
    public static var isAvailable: Bool { RequiredPackages.onCI || binaries != nil }

    /// Runs `body` with a fresh cluster, stopped and deleted however `body` ends.
    public static func with<T: Sendable>(_ body: (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = try await start()
        do {
            let value = try await body(cluster)
            await cluster.stop()
            return value
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// The directory holding `initdb` and `pg_ctl`: PATH first, then Debian's versioned directory.
    public static var binaries: URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            if FileManager.default.isExecutableFile(atPath: "\(directory)/initdb") { return URL(fileURLWithPath: String(directory)) }
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = URL(fileURLWithPath: "/usr/lib/postgresql/\(version)/bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) { return bin }
        }
        return nil
    }

    private init(url: String, port: Int, directory: URL, runAs: [String], binaries: URL, serverPID: Int32) {
        self.url = url
        self.port = port
        self.directory = directory
        self.runAs = runAs
        self.binaries = binaries
        self.serverPID = Mutex(serverPID)
    }

    /// The running postmaster's pid (0 while stopped): its backends are its children.
    public var postmasterPID: Int32 { serverPID.withLock { $0 } }

    /// A URL for database `name` on this server.
    public func url(database name: String) -> String {
        "postgresql://accord@127.0.0.1:\(port)/\(name)"
    }

    /// Stops the server as an outage would (immediate shutdown), keeping its data for `startAgain()`.
    public func stopServer() async {
        let pid = serverPID.withLock { pid in
            defer { pid = 0 }
            return pid
        }
        await offPool { Self.terminate(pid) }
    }

    /// Starts the server again on the same port and data after `stopServer()`.
    public func startAgain() async throws {
        let directory = directory
        let command = runAs + [binaries.appendingPathComponent("pg_ctl").path] + Self.startArguments(directory: directory, port: port)
        let pid = try await offPool { () throws -> Int32 in
            let started = try Self.run(command)
            guard started.status == 0 else { throw PostgresClusterError(message: "pg_ctl start failed: \(started.standardOutput)\(started.standardError)") }
            return try Self.postmasterPID(directory: directory)
        }
        serverPID.withLock { $0 = pid }
    }

    /// Starts a cluster off the cooperative pool, since initdb and pg_ctl take a few seconds.
    public static func start() async throws -> PostgresCluster {
        try await offPool { try startBlocking() }
    }

    /// Stops the server by its pid (immediate shutdown, then SIGKILL if it lingers) and deletes its directory.
    public func stop() async {
        let pid = serverPID.withLock { pid in
            defer { pid = 0 }
            return pid
        }
        let directory = directory
        await offPool {
            Self.terminate(pid)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// SIGQUIT (PostgreSQL's immediate shutdown), then SIGKILL if the postmaster lingers.
    private static func terminate(_ pid: Int32) {
        guard pid > 0 else { return }
        kill(pid, SIGQUIT)
        let deadline = Date().addingTimeInterval(10)
        while kill(pid, 0) == 0, Date() < deadline { usleep(20_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }

    private static func startArguments(directory: URL, port: Int) -> [String] {
        let data = directory.appendingPathComponent("data").path
        let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -F"
        return ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30", "-o", options, "start"]
    }

    private static func postmasterPID(directory: URL) throws -> Int32 {
        let pidFile = try String(contentsOfFile: directory.appendingPathComponent("data/postmaster.pid").path, encoding: .utf8)
        guard let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            throw PostgresClusterError(message: "postmaster.pid holds no pid")
        }
        return pid
    }

    private static func startBlocking() throws -> PostgresCluster {
        guard let binaries else { throw PostgresClusterError(message: "initdb and pg_ctl not found: apt-get install postgresql") }
        let directory = URL(fileURLWithPath: "/tmp/accord-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        let runAs: [String]
        if getuid() == 0 {
            guard let nobody = getpwnam("nobody") else {
                throw PostgresClusterError(message: "running as root, and there is no user nobody to run PostgreSQL as")
            }
            try FileManager.default.setAttributes([.ownerAccountID: Int(nobody.pointee.pw_uid)], ofItemAtPath: directory.path)
            runAs = ["runuser", "-u", "nobody", "--"]
        } else {
            runAs = []
        }
        do {
            let data = directory.appendingPathComponent("data").path
            let initdb = try run(runAs + [binaries.appendingPathComponent("initdb").path, "-D", data, "-U", "accord", "-A", "trust", "-E", "UTF8", "--no-sync"])
            guard initdb.status == 0 else { throw PostgresClusterError(message: "initdb failed: \(initdb.standardError)") }
            var lastFailure = ""
            for _ in 0..<3 {
                let port = try FreePort.find()
                let started = try run(runAs + [binaries.appendingPathComponent("pg_ctl").path] + startArguments(directory: directory, port: port))
                if started.status == 0 {
                    let pid: Int32
                    do { pid = try postmasterPID(directory: directory) } catch {
                        // Started but unreadable: stopped through pg_ctl, since no pid is known.
                        _ = try? run(runAs + [binaries.appendingPathComponent("pg_ctl").path, "-D", data, "-m", "immediate", "stop"])
                        throw error
                    }
                    return PostgresCluster(url: "postgresql://accord@127.0.0.1:\(port)/postgres", port: port, directory: directory,
                                           runAs: runAs, binaries: binaries, serverPID: pid)
                }
                lastFailure = started.standardOutput + started.standardError
            }
            throw PostgresClusterError(message: "pg_ctl start failed: \(lastFailure)")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// Runs `command` and waits for it, on the thread it is called on (always off the pool). Its
    /// output goes to files, which the daemonised postmaster never holds open.
    private static func run(_ command: [String]) throws -> ExternalProcess.Output {
        try ExternalProcess.runBlocking(command[0], Array(command.dropFirst()))
    }
}

/// A throwaway cluster could not be made.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
