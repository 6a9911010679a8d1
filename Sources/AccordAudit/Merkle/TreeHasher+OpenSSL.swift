import AccordCrypto

extension TreeHasher {
    /// A tree hasher over AccordCrypto's OpenSSL SHA-256, the one the gateway uses.
    public convenience init() {
        self.init(hashing: SHA256.Hasher.self)
    }
}
