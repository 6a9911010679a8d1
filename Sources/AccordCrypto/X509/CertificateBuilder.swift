public import Foundation
import COpenSSL

/// Issues X.509 v3 certificates through OpenSSL: the development PKI (`accord pki init`)
/// and tests use it. Production deployments bring certificates from their own CA.
public struct CertificateBuilder: Sendable {
    /// A subject alternative name entry.
    public enum AlternativeName: Sendable, Hashable {
        case uri(String)
        case dns(String)
        case ip(String)

        var configValue: String {
            switch self {
            case .uri(let value): "URI:\(value)"
            case .dns(let value): "DNS:\(value)"
            case .ip(let value): "IP:\(value)"
            }
        }
    }

    /// Subject common name.
    public var commonName: String
    /// Subject organization (O), e.g. the agency's name.
    public var organization: String?
    /// Subject organizational unit (OU).
    public var organizationalUnit: String?
    /// Subject country (C), two letters.
    public var country: String?
    public var notBefore: Date
    public var notAfter: Date
    /// `nil` for an end-entity certificate; a path length for a CA.
    public var certificateAuthorityPathLength: Int?
    /// OpenSSL key usage names, e.g. `digitalSignature`, `keyCertSign`, `cRLSign`.
    public var keyUsage: [String]
    /// OpenSSL extended key usage names, e.g. `clientAuth`, `serverAuth`; empty for none.
    public var extendedKeyUsage: [String]
    public var alternativeNames: [AlternativeName]

    public init(
        commonName: String, organization: String? = nil, organizationalUnit: String? = nil, country: String? = nil,
        notBefore: Date = Date().addingTimeInterval(-300), notAfter: Date = Date().addingTimeInterval(365 * 86_400),
        certificateAuthorityPathLength: Int? = nil, keyUsage: [String] = ["digitalSignature"],
        extendedKeyUsage: [String] = [], alternativeNames: [AlternativeName] = []
    ) {
        self.commonName = commonName
        self.organization = organization
        self.organizationalUnit = organizationalUnit
        self.country = country
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.certificateAuthorityPathLength = certificateAuthorityPathLength
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
        self.alternativeNames = alternativeNames
    }

    /// A self-signed CA certificate for `key`.
    public func selfSigned(key: PrivateKey) throws(CryptoError) -> Certificate {
        try build(subjectKey: key.publicKey, issuer: nil, issuerKey: key)
    }

    /// A certificate for `subjectKey` issued by `issuer`, signed with `issuerKey`.
    public func issued(for subjectKey: PublicKey, by issuer: Certificate, issuerKey: PrivateKey) throws(CryptoError) -> Certificate {
        try build(subjectKey: subjectKey, issuer: issuer, issuerKey: issuerKey)
    }

    private func build(subjectKey: PublicKey, issuer: Certificate?, issuerKey: PrivateKey) throws(CryptoError) -> Certificate {
        OpenSSLErrorQueue.clear()
        guard let x509 = X509_new() else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "X509_new failed") }
        let certificate = Certificate(taking: x509)
        guard X509_set_version(x509, 2) == 1 else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot set version") }
        try setSerial(x509)
        let start = try ASN1Time.make(notBefore)
        defer { ASN1_TIME_free(start) }
        let end = try ASN1Time.make(notAfter)
        defer { ASN1_TIME_free(end) }
        guard X509_set1_notBefore(x509, start) == 1, X509_set1_notAfter(x509, end) == 1 else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot set validity")
        }
        guard let name = X509_NAME_new() else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "X509_NAME_new failed") }
        defer { X509_NAME_free(name) }
        for (field, value) in [("C", country), ("O", organization), ("OU", organizationalUnit), ("CN", commonName)] {
            guard let value else { continue }
            guard X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0) == 1 else {
                throw OpenSSLErrorQueue.error(.certificateBuildFailed, "invalid subject \(field) value")
            }
        }
        guard X509_set_subject_name(x509, name) == 1,
              X509_set_issuer_name(x509, issuer.map { X509_get_subject_name($0.pointer) } ?? name) == 1,
              X509_set_pubkey(x509, subjectKey.handle.pointer) == 1
        else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot set names or public key") }

        var context = X509V3_CTX()
        accord_X509V3_set_ctx_nodb(&context)
        X509V3_set_ctx(&context, issuer?.pointer ?? x509, x509, nil, nil, 0)
        var extensions: [(Int32, String)] = []
        if let pathLength = certificateAuthorityPathLength {
            extensions.append((NID_basic_constraints, "critical,CA:TRUE,pathlen:\(pathLength)"))
        } else {
            extensions.append((NID_basic_constraints, "critical,CA:FALSE"))
        }
        if !keyUsage.isEmpty { extensions.append((NID_key_usage, "critical," + keyUsage.joined(separator: ","))) }
        if !extendedKeyUsage.isEmpty { extensions.append((NID_ext_key_usage, extendedKeyUsage.joined(separator: ","))) }
        if !alternativeNames.isEmpty {
            extensions.append((NID_subject_alt_name, alternativeNames.map(\.configValue).joined(separator: ",")))
        }
        extensions.append((NID_subject_key_identifier, "hash"))
        extensions.append((NID_authority_key_identifier, "keyid:always"))
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
                throw OpenSSLErrorQueue.error(.certificateBuildFailed, "invalid extension \(String(cString: OBJ_nid2sn(nid))) = \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(x509, ext, -1) == 1 else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot add extension") }
        }
        let digest = issuerKey.algorithm == .es256 ? EVP_sha256() : nil
        guard X509_sign(x509, issuerKey.handle.pointer, digest) > 0 else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot sign certificate for \(commonName)")
        }
        return certificate
    }

    private func setSerial(_ x509: OpaquePointer) throws(CryptoError) {
        var bytes = try SecureRandom.bytes(16)
        bytes[0] &= 0x7F
        bytes[0] |= 0x01
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot make serial number")
        }
        defer { BN_free(number) }
        guard BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x509)) != nil else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot set serial number")
        }
    }
}
