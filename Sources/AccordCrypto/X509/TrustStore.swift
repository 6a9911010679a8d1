public import Foundation
import COpenSSL

/// The trust anchors, intermediate certificates and CRLs Accord verifies peers against, with
/// the bindings that say which anchor may speak for which identity. Chain verification revokes
/// by CRL wherever a CRL for the issuing CA is present; a CRL past its next update fails closed.
/// A gateway builds one from its registry (each agency's `ca:`) and replaces it whole on reload.
// INVARIANT: the X509_STORE is filled in init and only read afterwards; OpenSSL locks
// its internal lookups, so concurrent verification is safe.
public final class TrustStore: @unchecked Sendable {
    package let store: OpaquePointer
    public let anchors: [Certificate]
    public let intermediates: [Certificate]
    public let revocationLists: [CertificateRevocationList]
    public let bindings: IssuerBindings
    /// Whether a CRL past its nextUpdate still revokes what it lists while accepting the rest,
    /// rather than refusing every certificate of its CA (the default: fail closed).
    public let acceptsLapsedCRLs: Bool

    /// With `bindings` enforced, an anchor need not be self-signed: a registry may name an
    /// agency's issuing CA under a root the gateway does not otherwise trust.
    public init(
        anchors: [Certificate], intermediates: [Certificate] = [], revocationLists: [CertificateRevocationList] = [],
        bindings: IssuerBindings = .unbound, acceptsLapsedCRLs: Bool = false
    ) throws(CryptoError) {
        guard !anchors.isEmpty else { throw CryptoError(.trustStoreFailed, "a trust store needs at least one trust anchor") }
        guard let store = X509_STORE_new() else { throw OpenSSLErrorQueue.error(.trustStoreFailed, "X509_STORE_new failed") }
        self.store = store
        self.anchors = anchors
        self.intermediates = intermediates
        self.revocationLists = revocationLists
        self.bindings = bindings
        self.acceptsLapsedCRLs = acceptsLapsedCRLs
        for anchor in anchors where X509_STORE_add_cert(store, anchor.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.trustStoreFailed, "cannot add trust anchor \(anchor.subject)")
        }
        for list in revocationLists where X509_STORE_add_crl(store, list.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.trustStoreFailed, "cannot add CRL issued by \(list.issuer)")
        }
        if bindings.enforced { X509_STORE_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN)) }
        if !revocationLists.isEmpty {
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
            X509_STORE_set_verify_cb(store, acceptsLapsedCRLs ? crlWherePresentEvenLapsed : crlWherePresent)
        }
    }

    deinit { X509_STORE_free(store) }

    /// Loads every `*.pem`, `*.crt` and `*.crl` file directly in `directory`: self-signed CA
    /// certificates become anchors, other certificates intermediates, CRLs revocation lists.
    public static func load(directory: String) throws(CryptoError) -> TrustStore {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted() } catch {
            throw CryptoError(.ioFailed, "cannot list trust directory \(directory): \(error.localizedDescription)")
        }
        var anchors: [Certificate] = []
        var intermediates: [Certificate] = []
        var lists: [CertificateRevocationList] = []
        for name in names where name.hasSuffix(".pem") || name.hasSuffix(".crt") || name.hasSuffix(".crl") {
            let path = (directory as NSString).appendingPathComponent(name)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { continue }
            // Private keys sit beside certificates in development layouts; they are not trust material.
            if text.contains("PRIVATE KEY") { continue }
            do {
                for certificate in try Certificate.all(pem: text) {
                    if certificate.isSelfIssued && certificate.isCertificateAuthority {
                        anchors.append(certificate)
                    } else {
                        intermediates.append(certificate)
                    }
                }
                lists += try CertificateRevocationList.all(pem: text)
            } catch {
                throw CryptoError(error.code, "\(path): \(error.message)", openSSLErrors: error.openSSLErrors)
            }
        }
        guard !anchors.isEmpty else {
            throw CryptoError(.trustStoreFailed, "no self-signed CA certificate in \(directory); run 'accord pki init' or add your trust anchors there")
        }
        return try TrustStore(anchors: anchors, intermediates: intermediates.filter(\.isCertificateAuthority), revocationLists: lists)
    }

    /// Verifies `certificate` (with any `chain` the peer presented) for `purpose` at `time`.
    /// Returns the verified chain, leaf first, or throws why it is refused.
    @discardableResult
    public func verify(
        _ certificate: Certificate, chain: [Certificate] = [], purpose: CertificatePurpose, at time: Date = Date()
    ) throws(CertificateRejection) -> [Certificate] {
        guard let context = X509_STORE_CTX_new() else {
            throw CertificateRejection(.invalidChain, "cannot allocate a verification context")
        }
        defer { X509_STORE_CTX_free(context) }
        guard let untrusted = accord_sk_X509_new_null() else {
            throw CertificateRejection(.invalidChain, "cannot allocate a certificate stack")
        }
        defer { accord_sk_X509_free(untrusted) }
        for extra in chain + intermediates { _ = accord_sk_X509_push(untrusted, extra.pointer) }
        guard X509_STORE_CTX_init(context, store, certificate.pointer, untrusted) == 1 else {
            throw CertificateRejection(.invalidChain, "cannot initialise verification: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        switch purpose {
        case .tlsClient: _ = X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_CLIENT)
        case .tlsServer: _ = X509_STORE_CTX_set_purpose(context, X509_PURPOSE_SSL_SERVER)
        case .signing: break
        }
        X509_STORE_CTX_set_time(context, 0, time_t(time.timeIntervalSince1970))
        let result = X509_verify_cert(context)
        OpenSSLErrorQueue.clear()
        guard result == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            let depth = X509_STORE_CTX_get_error_depth(context)
            throw Self.rejection(code: code, depth: depth, certificate: certificate)
        }
        try Self.checkUsage(certificate, for: purpose)
        var verified: [Certificate] = []
        if let chain = X509_STORE_CTX_get1_chain(context) {
            defer { accord_sk_X509_pop_free(chain) }
            for index in 0..<accord_sk_X509_num(chain) {
                if let element = accord_sk_X509_value(chain, index), let copy = X509_dup(element) {
                    verified.append(Certificate(taking: copy))
                }
            }
        }
        return verified
    }

    /// Verifies a TLS client or signing certificate and returns the agency it speaks for, which
    /// must be one its chain's CA is bound to.
    public func verifyAgency(
        _ certificate: Certificate, chain: [Certificate] = [], purpose: CertificatePurpose, at time: Date = Date()
    ) throws(CertificateRejection) -> AgencyIdentity {
        let verified = try verify(certificate, chain: chain, purpose: purpose, at: time)
        let identity = try AgencyIdentity(certificate: certificate)
        try bindings.check(certificate, chain: verified)
        return identity
    }

    /// One purpose per certificate: a TLS client certificate must say clientAuth (OpenSSL's
    /// sslclient purpose alone accepts a certificate with no extended key usage at all, such as
    /// a signing certificate); a signing certificate must say digitalSignature and must not
    /// say clientAuth, so that neither key can stand in for the other.
    static func checkUsage(_ certificate: Certificate, for purpose: CertificatePurpose) throws(CertificateRejection) {
        let flags = X509_get_extension_flags(certificate.pointer)
        let hasExtendedUsage = flags & UInt32(EXFLAG_XKUSAGE) != 0
        let extendedUsage = hasExtendedUsage ? X509_get_extended_key_usage(certificate.pointer) : 0
        switch purpose {
        case .tlsClient:
            guard hasExtendedUsage, extendedUsage & UInt32(XKU_SSL_CLIENT) != 0 else {
                throw CertificateRejection(.wrongPurpose,
                    "certificate \(certificate.subject) lacks extended key usage clientAuth, so it cannot open a TLS session; use the system's TLS certificate, not its signing certificate")
            }
        case .signing:
            guard flags & UInt32(EXFLAG_KUSAGE) != 0, X509_get_key_usage(certificate.pointer) & UInt32(KU_DIGITAL_SIGNATURE) != 0 else {
                throw CertificateRejection(.wrongPurpose, "certificate \(certificate.subject) lacks key usage digitalSignature, so it cannot sign messages")
            }
            let tlsOnly = UInt32(XKU_SSL_SERVER | XKU_SSL_CLIENT)
            if hasExtendedUsage, extendedUsage & UInt32(XKU_SSL_CLIENT) != 0 || extendedUsage & ~tlsOnly == 0 {
                throw CertificateRejection(.wrongPurpose,
                    "certificate \(certificate.subject) is issued for TLS (extended key usage clientAuth or serverAuth), so it cannot sign messages; use the agency's signing certificate")
            }
        case .tlsServer:
            break
        }
    }

    /// The TLS server's check of a client's leaf, run by OpenSSL's verify callback once the
    /// chain has verified: one purpose (clientAuth) and an identity bound to the chain's CA.
    package func admitClient(_ storeContext: OpaquePointer) throws(CertificateRejection) {
        guard let leafPointer = X509_STORE_CTX_get0_cert(storeContext), let leafCopy = X509_dup(leafPointer) else {
            throw CertificateRejection(.invalidChain, "the verified chain has no leaf")
        }
        let leaf = Certificate(taking: leafCopy)
        try Self.checkUsage(leaf, for: .tlsClient)
        var chain: [Certificate] = []
        if let stack = X509_STORE_CTX_get0_chain(storeContext) {
            for index in 0..<accord_sk_X509_num(stack) {
                if let element = accord_sk_X509_value(stack, index), let copy = X509_dup(element) {
                    chain.append(Certificate(taking: copy))
                }
            }
        }
        try bindings.check(leaf, chain: chain)
    }

    /// What OpenSSL's chain verification refused, with the leaf it was verifying.
    package static func rejection(storeContext: OpaquePointer) -> (CertificateRejection, Certificate?) {
        let code = X509_STORE_CTX_get_error(storeContext)
        let depth = X509_STORE_CTX_get_error_depth(storeContext)
        guard let leafPointer = X509_STORE_CTX_get0_cert(storeContext), let copy = X509_dup(leafPointer) else {
            return (CertificateRejection(.invalidChain, String(cString: X509_verify_cert_error_string(Int(code))), openSSLCode: code), nil)
        }
        let leaf = Certificate(taking: copy)
        return (rejection(code: code, depth: depth, certificate: leaf), leaf)
    }

    static func rejection(code: Int32, depth: Int32, certificate: Certificate) -> CertificateRejection {
        let text = String(cString: X509_verify_cert_error_string(Int(code)))
        let which = depth == 0 ? "certificate \(certificate.subject)" : "certificate at depth \(depth) in the chain of \(certificate.subject)"
        let reason: CertificateRejection.Code
        let advice: String
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            reason = .expired; advice = "renew it"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            reason = .notYetValid; advice = "check the clocks, or wait until its notBefore"
        case X509_V_ERR_CERT_REVOKED:
            reason = .revoked; advice = "it was revoked by its CA; issue a new one"
        case X509_V_ERR_INVALID_PURPOSE:
            reason = .wrongPurpose; advice = "use a certificate issued for this purpose"
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            reason = .unknownIssuer; advice = "its issuer is not a trust anchor in Certificates/"
        case X509_V_ERR_CERT_SIGNATURE_FAILURE, X509_V_ERR_CRL_SIGNATURE_FAILURE:
            reason = .badSignature; advice = "it was altered or signed by another key"
        case X509_V_ERR_CRL_HAS_EXPIRED:
            reason = .crlExpired; advice = "publish a fresh CRL for its issuer in Certificates/"
        default:
            reason = .invalidChain; advice = "see the OpenSSL reason"
        }
        return CertificateRejection(reason, "\(which): \(text); \(advice)", openSSLCode: code)
    }
}

extension TrustStore {
    /// The CRL gaps this store tolerates, for a verify callback that replaces the store's
    /// own (the TLS layer's): see `acceptingCRLGaps`.
    package func toleratingCRLGaps(_ ok: Int32, _ context: OpaquePointer?) -> Int32 {
        acceptingCRLGaps(ok, context, lapsed: acceptsLapsedCRLs)
    }
}

/// Accepts a missing CRL (no CRL published for that CA), and a CRL past its nextUpdate only
/// where `lapsed` says so; every other error, a revoked certificate included, still fails.
func acceptingCRLGaps(_ ok: Int32, _ context: OpaquePointer?, lapsed: Bool) -> Int32 {
    guard ok == 0, let context else { return ok }
    let error = X509_STORE_CTX_get_error(context)
    if error == X509_V_ERR_UNABLE_TO_GET_CRL || (lapsed && error == X509_V_ERR_CRL_HAS_EXPIRED) {
        X509_STORE_CTX_set_error(context, X509_V_OK)
        return 1
    }
    return ok
}

private let crlWherePresent: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
    acceptingCRLGaps(ok, context, lapsed: false)
}

private let crlWherePresentEvenLapsed: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
    acceptingCRLGaps(ok, context, lapsed: true)
}
