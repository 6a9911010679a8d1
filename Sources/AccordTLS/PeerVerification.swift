import AccordCrypto
import COpenSSL

/// One server connection's check of its client's certificate, reached from OpenSSL's verify
/// callback through the SSL object's application data. It holds the trust store of the
/// context the connection was made from (so a reload never changes a handshake under way)
/// and keeps the first reason a certificate was refused, for the log and the audit record.
final class PeerVerification {
    let trustStore: TrustStore
    private(set) var rejection: CertificateRejection?
    /// SHA-256 of the refused leaf's DER, when there was one.
    private(set) var rejectedFingerprint: String?

    init(trustStore: TrustStore) {
        self.trustStore = trustStore
    }

    /// Attaches `self` to `ssl`; the connection keeps `self` alive as long as `ssl`.
    func attach(to ssl: OpaquePointer) {
        _ = SSL_set_ex_data(ssl, 0, Unmanaged.passUnretained(self).toOpaque())
    }

    /// The verification attached to the SSL object behind `storeContext`, if any.
    static func of(_ storeContext: OpaquePointer) -> PeerVerification? {
        guard let ssl = X509_STORE_CTX_get_ex_data(storeContext, SSL_get_ex_data_X509_STORE_CTX_idx()),
              let data = SSL_get_ex_data(OpaquePointer(ssl), 0) else { return nil }
        return Unmanaged<PeerVerification>.fromOpaque(data).takeUnretainedValue()
    }

    /// The leaf, once its chain verified: exactly one Accord identity, clientAuth, and a CA
    /// bound to that identity.
    func admit(_ storeContext: OpaquePointer) throws(CertificateRejection) {
        if let leaf = X509_STORE_CTX_get0_cert(storeContext), let copy = X509_dup(leaf) {
            let certificate = Certificate(taking: copy)
            let identities = certificate.subjectAlternativeURIs.filter {
                $0.hasPrefix(AgencyIdentity.uriPrefix) || $0.hasPrefix(TLSPeer.Identity.operatorPrefix)
                    || $0.hasPrefix(IssuerBindings.gatewayPrefix)
            }
            guard identities.count == 1 else {
                throw CertificateRejection(.missingAgencyIdentity,
                    "certificate \(certificate.subject) must carry exactly one subject alternative name URI urn:accord:agency:<id>, urn:accord:operator:<role>:<name> or urn:accord:gateway:<name> (found \(identities.count))")
            }
        }
        try trustStore.admitClient(storeContext)
    }

    func recordChainFailure(_ storeContext: OpaquePointer) {
        guard rejection == nil else { return }
        let (reason, leaf) = TrustStore.rejection(storeContext: storeContext)
        record(reason, leaf: leaf)
    }

    func record(_ reason: CertificateRejection, storeContext: OpaquePointer) {
        guard rejection == nil else { return }
        let leaf = X509_STORE_CTX_get0_cert(storeContext).flatMap(X509_dup).map { Certificate(taking: $0) }
        record(reason, leaf: leaf)
    }

    private func record(_ reason: CertificateRejection, leaf: Certificate?) {
        rejection = reason
        rejectedFingerprint = leaf?.fingerprintSHA256
    }
}

/// The server's certificate check: OpenSSL's chain verification (with CRLs wherever present),
/// then `PeerVerification.admit` at the leaf, so that a certificate from the wrong CA, for the
/// wrong purpose or with no identity fails in the handshake with a certificate alert.
let verifyAccordPeer: @convention(c) (Int32, OpaquePointer?) -> Int32 = { preverified, storeContext in
    guard let storeContext, let verification = PeerVerification.of(storeContext) else { return 0 }
    let ok = verification.trustStore.toleratingCRLGaps(preverified, storeContext)
    guard ok == 1 else {
        verification.recordChainFailure(storeContext)
        return ok
    }
    guard X509_STORE_CTX_get_error_depth(storeContext) == 0 else { return 1 }
    do throws(CertificateRejection) {
        try verification.admit(storeContext)
        return 1
    } catch {
        verification.record(error, storeContext: storeContext)
        X509_STORE_CTX_set_error(storeContext, X509_V_ERR_APPLICATION_VERIFICATION)
        return 0
    }
}
