import AccordCrypto
import Synchronization

/// Idle `JWSVerifier` contexts by key. Creating an OpenSSL verification context costs several
/// times a signature check, so a verifier that paid for one keeps it. A context is taken out
/// while in use and put back after, so no two threads ever share one.
final class VerifierPool: Sendable {
    enum Key: Hashable, Sendable {
        case spki([UInt8])
        case jwk(JWK)

        /// The SPKI as one run of bytes: `[UInt8]`'s own hash feeds the hasher byte by byte.
        func hash(into hasher: inout Hasher) {
            switch self {
            case .spki(let der):
                hasher.combine(0 as UInt8)
                der.withUnsafeBytes { hasher.combine(bytes: $0) }
            case .jwk(let jwk):
                hasher.combine(1 as UInt8)
                hasher.combine(jwk)
            }
        }
    }

    /// A public key and one verification context for it.
    final class Entry: @unchecked Sendable {
        // INVARIANT: an Entry is either in the pool or held by exactly one caller.
        let key: PublicKey
        let verifier: JWSVerifier

        init(key: PublicKey) throws(MessageError) {
            self.key = key
            do { verifier = try JWSVerifier(key: key) } catch {
                throw MessageError(.cryptoFailure, "cannot create a verification context (\(error.code.rawValue))")
            }
        }
    }

    private let idle = Mutex<[Key: [Entry]]>([:])
    private let maxKeys: Int
    private let maxIdlePerKey: Int

    init(maxKeys: Int = 1024, maxIdlePerKey: Int = 8) {
        self.maxKeys = maxKeys
        self.maxIdlePerKey = maxIdlePerKey
    }

    /// Runs `body` with a context for `key`, made by `make` when none is idle.
    func withEntry<Result>(
        for key: Key, make: () throws(MessageError) -> PublicKey, _ body: (Entry) throws(MessageError) -> Result
    ) throws(MessageError) -> Result {
        let taken = idle.withLock { pool -> Entry? in pool[key]?.popLast() }
        let entry: Entry
        if let taken { entry = taken } else { entry = try Entry(key: make()) }
        let result = try body(entry)
        idle.withLock { pool in
            if pool[key] == nil && pool.count >= maxKeys { pool.removeAll(keepingCapacity: true) }
            if pool[key, default: []].count < maxIdlePerKey { pool[key, default: []].append(entry) }
        }
        return result
    }
}
