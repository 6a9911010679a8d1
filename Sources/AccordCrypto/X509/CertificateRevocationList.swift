public import Foundation
import COpenSSL

/// An X.509 certificate revocation list held by OpenSSL.
// INVARIANT: never mutated after init.
public final class CertificateRevocationList: @unchecked Sendable {
    package let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { X509_CRL_free(pointer) }

    /// Every CRL in PEM text.
    public static func all(pem: String) throws(CryptoError) -> [CertificateRevocationList] {
        let bio = try MemoryBIO(Array(pem.utf8))
        var lists: [CertificateRevocationList] = []
        OpenSSLErrorQueue.clear()
        while let list = PEM_read_bio_X509_CRL(bio.pointer, nil, refusePassword, nil) {
            lists.append(CertificateRevocationList(taking: list))
        }
        let leftovers = OpenSSLErrorQueue.drain().filter { !$0.contains("no start line") }
        if !leftovers.isEmpty {
            throw CryptoError(.invalidCRL, "damaged X509 CRL block after \(lists.count) good ones", openSSLErrors: leftovers)
        }
        return lists
    }

    public convenience init(pem: String) throws(CryptoError) {
        guard let first = try Self.all(pem: pem).first else { throw CryptoError(.invalidPEM, "no X509 CRL block in PEM text") }
        self.init(taking: X509_CRL_dup(first.pointer))
    }

    public func pem() throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_X509_CRL(bio.pointer, pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidCRL, "cannot write CRL as PEM")
        }
        return bio.string()
    }

    public var issuer: String { Certificate.name(X509_CRL_get_issuer(pointer)) }
    public var lastUpdate: Date? { ASN1Time.date(X509_CRL_get0_lastUpdate(pointer)) }
    public var nextUpdate: Date? { ASN1Time.date(X509_CRL_get0_nextUpdate(pointer)) }
}
