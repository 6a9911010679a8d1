import Foundation
import Synchronization

/// A loopback port for a server a test starts: nothing listens on it now, and this test process
/// has not handed it out before. It is chosen below the kernel's ephemeral range, because a
/// port from that range (what binding port 0 gives) can become the local port of any outgoing
/// connection the tests running beside this one open (curl, psql, Python) before the server
/// binds it, and the server then fails with "address already in use".
public enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])
    private static let lowest = 10_000

    public static func find() throws -> Int {
        let below = min(ephemeralStart(), 32_768)
        for _ in 0 ..< 500 where below > lowest + 1_000 {
            let port = Int.random(in: lowest ..< below)
            guard handedOut.withLock({ $0.insert(port).inserted }), isFree(port) else { continue }
            return port
        }
        throw FreePortError(message: "no free loopback port between \(lowest) and \(below)")
    }

    /// The first port of `net.ipv4.ip_local_port_range` (32768 where it cannot be read).
    private static func ephemeralStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// No free port could be found.
public struct FreePortError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
