import COpenSSL

/// Algorithm objects fetched once from the default provider. Fetching is costly in
/// OpenSSL 3, and a fetched object may be shared across threads.
final class FetchedAlgorithms: @unchecked Sendable {
    // INVARIANT: these pointers are fetched once and never freed or mutated.
    let sha256: OpaquePointer

    static let shared = FetchedAlgorithms()

    private init() {
        guard let sha256 = EVP_MD_fetch(nil, "SHA2-256", nil) else {
            fatalError("OpenSSL has no SHA-256 in its default provider: \(OpenSSLErrorQueue.drain())")
        }
        self.sha256 = sha256
    }
}
