import COpenSSL

/// scrypt (RFC 7914) through OpenSSL 3's `EVP_KDF` "SCRYPT": the password hash of the
/// console's local accounts. Deliberately slow and memory-hard, so a stolen accounts file
/// is expensive to guess against.
public enum Scrypt {
    /// Cost parameters. `N` = 2^`logN`; memory used is about 128 · r · N bytes.
    public struct Parameters: Sendable, Hashable {
        public let logN: Int
        public let r: Int
        public let p: Int

        /// What new passwords get: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s), the parameters
        /// RFC 7914 and OWASP give for interactive sign-in.
        public static let interactive = Parameters(logN: 15, r: 8, p: 1)

        /// The ranges a stored hash may name. A file naming more is refused rather than
        /// allowed to make each sign-in take gigabytes or minutes.
        public static let acceptedLogN = 1...20
        public static let acceptedR = 1...32
        public static let acceptedP = 1...16

        public init(logN: Int, r: Int, p: Int) {
            self.logN = logN
            self.r = r
            self.p = p
        }

        public var isAccepted: Bool {
            Self.acceptedLogN.contains(logN) && Self.acceptedR.contains(r) && Self.acceptedP.contains(p)
        }

        /// Memory scrypt needs for these parameters, with room for OpenSSL's bookkeeping.
        var memoryBytes: UInt64 { 128 * UInt64(r) * (UInt64(1) << UInt64(logN)) + 128 * UInt64(r) * UInt64(p) + 1 << 20 }
    }

    /// Derives `length` bytes from `password` and `salt`.
    public static func derive(
        password: [UInt8], salt: [UInt8], parameters: Parameters, length: Int = 32
    ) throws(CryptoError) -> [UInt8] {
        guard parameters.isAccepted else {
            throw CryptoError(.unsupportedAlgorithm, "scrypt parameters ln=\(parameters.logN) r=\(parameters.r) p=\(parameters.p) are outside the accepted ranges")
        }
        guard length > 0, length <= 1024 else { throw CryptoError(.internalFailure, "scrypt output length \(length) is out of range") }
        guard let kdf = EVP_KDF_fetch(nil, "SCRYPT", nil) else {
            throw CryptoError(.unsupportedAlgorithm, "OpenSSL has no SCRYPT KDF: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else { throw CryptoError(.internalFailure, "EVP_KDF_CTX_new failed") }
        defer { EVP_KDF_CTX_free(context) }

        // OSSL_PARAM keeps pointers to its key and value until the derive call, so both must
        // outlive the array: Swift's implicit string and inout conversions last only one call.
        let keys = [OSSL_KDF_PARAM_PASSWORD, OSSL_KDF_PARAM_SALT, OSSL_KDF_PARAM_SCRYPT_N, OSSL_KDF_PARAM_SCRYPT_R,
                    OSSL_KDF_PARAM_SCRYPT_P, OSSL_KDF_PARAM_SCRYPT_MAXMEM].map { (key: String) in strdup(key)! }
        defer { keys.forEach { free($0) } }
        let n = UnsafeMutablePointer<UInt64>.allocate(capacity: 2)
        let rp = UnsafeMutablePointer<UInt32>.allocate(capacity: 2)
        defer {
            n.deallocate()
            rp.deallocate()
        }
        n[0] = UInt64(1) << UInt64(parameters.logN)
        n[1] = parameters.memoryBytes
        rp[0] = UInt32(parameters.r)
        rp[1] = UInt32(parameters.p)
        var output = [UInt8](repeating: 0, count: length)
        // An empty password or salt still needs a valid pointer for OSSL_PARAM.
        let passwordBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(password.count, 1))
        let saltBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(salt.count, 1))
        defer {
            passwordBytes.update(repeating: 0)
            passwordBytes.deallocate()
            saltBytes.deallocate()
        }
        _ = passwordBytes.initialize(from: password)
        _ = saltBytes.initialize(from: salt)
        var params = [
            OSSL_PARAM_construct_octet_string(keys[0], passwordBytes.baseAddress, password.count),
            OSSL_PARAM_construct_octet_string(keys[1], saltBytes.baseAddress, salt.count),
            OSSL_PARAM_construct_uint64(keys[2], n),
            OSSL_PARAM_construct_uint32(keys[3], rp),
            OSSL_PARAM_construct_uint32(keys[4], rp + 1),
            OSSL_PARAM_construct_uint64(keys[5], n + 1),
            OSSL_PARAM_construct_end(),
        ]
        let status = output.withUnsafeMutableBufferPointer { out in
            params.withUnsafeMutableBufferPointer { EVP_KDF_derive(context, out.baseAddress, length, $0.baseAddress) }
        }
        guard status == 1 else {
            throw CryptoError(.internalFailure, "scrypt failed: \(OpenSSLErrorQueue.drain().joined(separator: "; "))")
        }
        return output
    }
}
