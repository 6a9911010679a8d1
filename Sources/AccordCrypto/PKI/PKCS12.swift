import COpenSSL

/// PKCS#12 files, the form browsers and operating systems import a client certificate and
/// its key in. OpenSSL 3's defaults are used: AES-256-CBC with PBKDF2 for the key and
/// certificate bags, and an HMAC-SHA-256 MAC.
public enum PKCS12 {
    /// The DER bytes of a PKCS#12 file holding `key` and `certificate` under `friendlyName`,
    /// protected by `password`.
    public static func make(friendlyName: String, key: PrivateKey, certificate: Certificate, password: String) throws(CryptoError) -> [UInt8] {
        guard let bundle = PKCS12_create(password, friendlyName, key.handle.pointer, certificate.pointer, nil, 0, 0, 0, 0, 0) else {
            throw OpenSSLErrorQueue.error(.certificateBuildFailed, "PKCS12_create failed")
        }
        defer { PKCS12_free(bundle) }
        var output: UnsafeMutablePointer<UInt8>? = nil
        let length = i2d_PKCS12(bundle, &output)
        guard length > 0, let output else { throw OpenSSLErrorQueue.error(.certificateBuildFailed, "cannot encode the PKCS#12 file") }
        defer { accord_OPENSSL_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(length)))
    }
}
