public import Foundation
import COpenSSL

/// Issues a CRL for a CA: the development PKI publishes one (empty) per CA, and tests revoke
/// certificates with it.
public struct RevocationListBuilder: Sendable {
    public var lastUpdate: Date
    public var nextUpdate: Date
    /// Serial numbers (upper-case hexadecimal, as `Certificate.serialNumberHex`) with their revocation times.
    public var revoked: [(serialHex: String, at: Date)]

    public init(lastUpdate: Date = Date().addingTimeInterval(-60), nextUpdate: Date = Date().addingTimeInterval(30 * 86_400), revoked: [(serialHex: String, at: Date)] = []) {
        self.lastUpdate = lastUpdate
        self.nextUpdate = nextUpdate
        self.revoked = revoked
    }

    public func issue(by issuer: Certificate, issuerKey: PrivateKey) throws(CryptoError) -> CertificateRevocationList {
        OpenSSLErrorQueue.clear()
        guard let crl = X509_CRL_new() else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "X509_CRL_new failed") }
        let list = CertificateRevocationList(taking: crl)
        let last = try ASN1Time.make(lastUpdate)
        defer { ASN1_TIME_free(last) }
        let next = try ASN1Time.make(nextUpdate)
        defer { ASN1_TIME_free(next) }
        guard X509_CRL_set_version(crl, 1) == 1,
              X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer.pointer)) == 1,
              X509_CRL_set1_lastUpdate(crl, last) == 1,
              X509_CRL_set1_nextUpdate(crl, next) == 1
        else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot set CRL fields") }
        for entry in revoked {
            guard let revokedEntry = X509_REVOKED_new() else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "X509_REVOKED_new failed") }
            var number: OpaquePointer? = nil
            guard BN_hex2bn(&number, entry.serialHex) > 0, let number else {
                X509_REVOKED_free(revokedEntry)
                throw CryptoError(.certificateBuildFailed, "serial '\(entry.serialHex)' is not hexadecimal")
            }
            defer { BN_free(number) }
            guard let serial = BN_to_ASN1_INTEGER(number, nil) else {
                X509_REVOKED_free(revokedEntry)
                throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot encode serial")
            }
            defer { ASN1_INTEGER_free(serial) }
            let when = try ASN1Time.make(entry.at)
            defer { ASN1_TIME_free(when) }
            guard X509_REVOKED_set_serialNumber(revokedEntry, serial) == 1,
                  X509_REVOKED_set_revocationDate(revokedEntry, when) == 1,
                  X509_CRL_add0_revoked(crl, revokedEntry) == 1
            else {
                X509_REVOKED_free(revokedEntry)
                throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot add revoked entry")
            }
        }
        _ = X509_CRL_sort(crl)
        let digest = issuerKey.algorithm == .es256 ? EVP_sha256() : nil
        guard X509_CRL_sign(crl, issuerKey.handle.pointer, digest) > 0 else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot sign CRL")
        }
        return list
    }
}
