import AccordCore
public import AccordCrypto

/// An Ed25519 verifier of C2SP signed notes: key name, key ID and public key. Its text form
/// is the verifier key `<name>+<hex key ID>+<base64(0x01 || public key)>` that a third party
/// needs, and nothing else, to check Accord's checkpoints.
public struct NoteVerifier: Sendable {
    static let ed25519Type: UInt8 = 0x01
    static let ed25519SPKIPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    public let name: String
    public let keyID: UInt32
    public let publicKey: PublicKey

    public init(name: String, publicKey: PublicKey) throws(AuditError) {
        try NoteKeyName.validate(name)
        guard publicKey.algorithm == .edDSA else {
            throw AuditError(.invalidVerifierKey, "signed notes here use Ed25519 keys, not \(publicKey.algorithm.rawValue)")
        }
        self.name = name
        self.publicKey = publicKey
        self.keyID = Self.keyID(name: name, rawKey: Self.rawKey(publicKey))
    }

    /// Parses a verifier key and checks that its key ID matches its name and key.
    public init(verifierKey text: String) throws(AuditError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let idBytes = Hex.decode(parts[1]), idBytes.count == 4, parts[1].count == 8,
              let keyBytes = Base64.decode(parts[2]), keyBytes.count == 33, keyBytes[0] == Self.ed25519Type else {
            throw AuditError(.invalidVerifierKey, "not an Ed25519 verifier key of the form name+keyid+base64(0x01||key)")
        }
        let name = String(parts[0])
        try NoteKeyName.validate(name)
        let raw = Array(keyBytes[1...])
        let key: PublicKey
        do { key = try PublicKey(spkiDER: Self.ed25519SPKIPrefix + raw) } catch {
            throw AuditError(.invalidVerifierKey, "verifier key holds no valid Ed25519 public key")
        }
        let expected = Self.keyID(name: name, rawKey: raw)
        guard expected == idBytes.reduce(0, { $0 << 8 | UInt32($1) }) else {
            throw AuditError(.invalidVerifierKey, "verifier key ID does not match its name and key")
        }
        self.name = name
        self.publicKey = key
        self.keyID = expected
    }

    public var verifierKey: String {
        let id = withUnsafeBytes(of: keyID.bigEndian) { Array($0) }
        return "\(name)+\(Hex.encode(id))+\(Base64.encode([Self.ed25519Type] + Self.rawKey(publicKey)))"
    }

    func verify(signature: [UInt8], text: [UInt8]) -> Bool {
        (try? publicKey.verify(signature: signature, for: text)) != nil
    }

    static func rawKey(_ key: PublicKey) -> [UInt8] {
        Array(key.spkiDER.suffix(32))
    }

    /// SHA-256(name || 0x0A || 0x01 || key)[:4], big-endian.
    static func keyID(name: String, rawKey: [UInt8]) -> UInt32 {
        let digest = SHA256.hash(Array(name.utf8) + [0x0A, ed25519Type] + rawKey)
        return digest.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
}
