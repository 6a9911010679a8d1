import AccordCore
public import Foundation
import COpenSSL

/// An X.509 certificate held by OpenSSL, with the fields Accord shows people (subject,
/// issuer, validity, fingerprint) and the identity it acts on (the SAN URI).
// INVARIANT: the X509 object is never mutated after init; OpenSSL guards its lazily
// computed extension cache with a lock, so sharing across threads is safe.
public final class Certificate: @unchecked Sendable, Equatable, CustomStringConvertible {
    package let pointer: OpaquePointer

    package init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { X509_free(pointer) }

    /// Parses one certificate from DER.
    public convenience init(der: [UInt8]) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        let certificate = der.withUnsafeBufferPointer { buffer -> OpaquePointer? in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
        guard let certificate else { throw OpenSSLErrorQueue.error(.invalidCertificate, "not a DER certificate") }
        self.init(taking: certificate)
    }

    /// Parses the first certificate in PEM text.
    public convenience init(pem: String) throws(CryptoError) {
        guard let first = try Certificate.all(pem: pem).first else {
            throw CryptoError(.invalidPEM, "no CERTIFICATE block in PEM text")
        }
        self.init(taking: X509_dup(first.pointer))
    }

    /// Every certificate in PEM text, in order (a chain file, a bundle).
    public static func all(pem: String) throws(CryptoError) -> [Certificate] {
        let bio = try MemoryBIO(Array(pem.utf8))
        var certificates: [Certificate] = []
        OpenSSLErrorQueue.clear()
        while let certificate = PEM_read_bio_X509(bio.pointer, nil, refusePassword, nil) {
            certificates.append(Certificate(taking: certificate))
        }
        // Reading stops with "no start line" at the end of input; anything else is damage.
        let leftovers = OpenSSLErrorQueue.drain().filter { !$0.contains("no start line") }
        if !leftovers.isEmpty {
            throw CryptoError(.invalidPEM, "damaged CERTIFICATE block after \(certificates.count) good ones", openSSLErrors: leftovers)
        }
        return certificates
    }

    /// Every certificate in a PEM file, naming the file in errors.
    public static func all(pemFile path: String) throws(CryptoError) -> [Certificate] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CryptoError(.ioFailed, "cannot read certificate file \(path): \(error.localizedDescription)")
        }
        do { return try all(pem: text) } catch {
            throw CryptoError(error.code, "\(path): \(error.message)", openSSLErrors: error.openSSLErrors)
        }
    }

    public var der: [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_X509(pointer, &out)
        guard length > 0, let out else { return [] }
        defer { accord_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    public func pem() throws(CryptoError) -> String {
        let bio = try MemoryBIO()
        guard PEM_write_bio_X509(bio.pointer, pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.invalidCertificate, "cannot write certificate as PEM")
        }
        return bio.string()
    }

    /// Subject distinguished name in RFC 2253 form, for display.
    public var subject: String { Self.name(X509_get_subject_name(pointer)) }

    /// Issuer distinguished name in RFC 2253 form, for display.
    public var issuer: String { Self.name(X509_get_issuer_name(pointer)) }

    public var notBefore: Date { ASN1Time.date(X509_get0_notBefore(pointer)) ?? .distantFuture }
    public var notAfter: Date { ASN1Time.date(X509_get0_notAfter(pointer)) ?? .distantPast }

    /// Serial number in upper-case hexadecimal, as `openssl x509 -serial` prints it.
    public var serialNumberHex: String {
        guard let number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(pointer), nil) else { return "" }
        defer { BN_free(number) }
        guard let text = BN_bn2hex(number) else { return "" }
        defer { accord_OPENSSL_free(text) }
        return String(cString: text)
    }

    /// SHA-256 over the DER encoding, in lower-case hexadecimal.
    public var fingerprintSHA256: String { Hex.encode(SHA256.hash(der)) }

    public var isSelfIssued: Bool { X509_check_issued(pointer, pointer) == X509_V_OK }

    public var isCertificateAuthority: Bool { X509_check_ca(pointer) > 0 }

    public var publicKey: PublicKey {
        get throws(CryptoError) {
            guard let key = X509_get_pubkey(pointer) else {
                throw OpenSSLErrorQueue.error(.invalidCertificate, "certificate has no usable public key")
            }
            return try PublicKey(handle: PKeyHandle(taking: key))
        }
    }

    /// The URIs of the subject alternative name extension, in order.
    public var subjectAlternativeURIs: [String] { alternativeNames(type: accord_GEN_URI) }

    /// The DNS names of the subject alternative name extension, in order.
    public var subjectAlternativeDNSNames: [String] { alternativeNames(type: accord_GEN_DNS) }

    public var description: String { "\(subject) (serial \(serialNumberHex))" }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool {
        X509_cmp(lhs.pointer, rhs.pointer) == 0
    }

    private func alternativeNames(type: Int32) -> [String] {
        guard let raw = X509_get_ext_d2i(pointer, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { accord_GENERAL_NAMES_free(names) }
        var values: [String] = []
        for index in 0..<accord_sk_GENERAL_NAME_num(names) {
            guard let name = accord_sk_GENERAL_NAME_value(names, index), accord_GENERAL_NAME_type(name) == type else { continue }
            let string: UnsafePointer<ASN1_STRING>? = switch type {
            case accord_GEN_URI: accord_GENERAL_NAME_uri(name)
            case accord_GEN_DNS: accord_GENERAL_NAME_dns(name)
            default: nil
            }
            guard let string, let data = ASN1_STRING_get0_data(string) else { continue }
            let length = Int(ASN1_STRING_length(string))
            values.append(String(decoding: UnsafeBufferPointer(start: data, count: length), as: UTF8.self))
        }
        return values
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        _ = X509_NAME_print_ex(bio.pointer, name, 0, accord_XN_FLAG_RFC2253)
        return bio.string()
    }
}
