import Foundation

/// The process's limit on open files. Every TLS connection is a file descriptor, and service
/// managers and container runtimes often start a process with a soft limit of 1,024, below
/// the gateway's connection cap; the soft limit may be raised to the hard one without privilege.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit; returns the limit in force afterwards.
    @discardableResult
    public static func raise() -> (soft: UInt64, hard: UInt64)? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }
}
