public import Foundation

/// A throwaway PostgreSQL server: `initdb` in a temporary directory, `pg_ctl start` on a free
/// loopback port with its socket in that directory, stopped by pid and deleted afterwards.
/// PostgreSQL refuses to run as root, so as root it runs as `nobody`, which then owns the directory.
public final class PostgresCluster: Sendable {
    /// `postgresql://accord@127.0.0.1:<port>/postgres`, trust-authenticated on loopback.
    public let url: String
    public let port: Int
    private let directory: URL
    private let serverPID: Int32

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

    private init(url: String, port: Int, directory: URL, serverPID: Int32) {
        self.url = url
        self.port = port
        self.directory = directory
        self.serverPID = serverPID
    }

    /// Starts a cluster off the cooperative pool, since initdb and pg_ctl take a few seconds.
    public static func start() async throws -> PostgresCluster {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try startBlocking() })
            }
        }
    }

    /// Stops the server by its pid (immediate shutdown, then SIGKILL if it lingers) and deletes its directory.
    public func stop() async {
        let pid = serverPID
        let directory = directory
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                if pid > 0 {
                    kill(pid, SIGQUIT)
                    let deadline = Date().addingTimeInterval(10)
                    while kill(pid, 0) == 0, Date() < deadline { usleep(20_000) }
                    if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
                }
                try? FileManager.default.removeItem(at: directory)
                continuation.resume()
            }
        }
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
                let port = try freeLoopbackPort()
                let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -F"
                let arguments = ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "30", "-o", options, "start"]
                let started = try run(runAs + [binaries.appendingPathComponent("pg_ctl").path] + arguments)
                if started.status == 0 {
                    let pidFile = try String(contentsOfFile: "\(data)/postmaster.pid", encoding: .utf8)
                    guard let pid = pidFile.split(separator: "\n").first.flatMap({ Int32($0) }) else {
                        throw PostgresClusterError(message: "postmaster.pid holds no pid")
                    }
                    return PostgresCluster(url: "postgresql://accord@127.0.0.1:\(port)/postgres", port: port, directory: directory, serverPID: pid)
                }
                lastFailure = started.standardOutput + started.standardError
            }
            throw PostgresClusterError(message: "pg_ctl start failed: \(lastFailure)")
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    private static func run(_ command: [String]) throws -> ExternalProcess.Output {
        try ExternalProcess.run(command[0], Array(command.dropFirst()))
    }

    /// A port nothing listens on now; pg_ctl is retried on another if something takes it first.
    private static func freeLoopbackPort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw PostgresClusterError(message: "no socket for a free port") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else { throw PostgresClusterError(message: "could not bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A throwaway cluster could not be made.
public struct PostgresClusterError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
