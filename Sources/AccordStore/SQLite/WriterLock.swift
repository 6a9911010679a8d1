#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<database>-writer.lock`, held for the lifetime of a writing store,
/// so that a second gateway opening the same database fails at open instead of interleaving
/// its leaves with the first one's. Readers take no lock. The kernel drops the lock when the
/// process dies, so a crashed gateway never leaves a stale lock behind.
final class WriterLock: Sendable {
    let path: String
    private let descriptor: Int32

    init(databasePath: String) throws(StoreError) {
        path = databasePath + "-writer.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.databaseFailed, "cannot open the writer lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(descriptor)
            if code == EWOULDBLOCK {
                throw StoreError(.writerLocked, "another writer has \(databasePath) open (\(path) is locked): "
                    + "stop the other gateway first; the audit tools open it without a signer and need no lock")
            }
            throw StoreError(.databaseFailed, "cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
