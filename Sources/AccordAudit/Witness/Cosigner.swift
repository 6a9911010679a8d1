import AccordCore
public import AccordCrypto

/// A C2SP tlog-cosignature/v1 cosigner: a witness's Ed25519 key under a key name. A
/// cosignature is a note signature over `cosignature/v1\ntime <t>\n` followed by the whole
/// checkpoint text, carrying the key ID, the time and the signature (docs/audit.md, "Witnesses").
public struct Cosigner: Sendable {
    public let verifier: CosignatureVerifier
    private let privateKey: PrivateKey

    public init(name: String, privateKey: PrivateKey) throws(AuditError) {
        verifier = try CosignatureVerifier(name: name, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
    }

    /// The signature line (`— <name> <base64>`, with its newline) cosigning `checkpointText` at `time`.
    public func cosign(checkpointText: String, time: UInt64) throws(AuditError) -> String {
        try SignedNote.validateText(checkpointText)
        let signature: [UInt8]
        do { signature = try privateKey.sign(CosignatureVerifier.message(checkpointText: checkpointText, time: time)) } catch {
            throw AuditError(.signingFailed, "cannot cosign the checkpoint: \(error)")
        }
        let bytes = CosignatureVerifier.bigEndian(verifier.keyID) + CosignatureVerifier.bigEndian(time) + signature
        return "\(SignedNote.dashPrefix)\(verifier.name) \(Base64.encode(bytes))\n"
    }
}

/// The public half of a cosigner, written `<name>+<hex key ID>+<base64(0x04 || key)>`.
public struct CosignatureVerifier: Sendable {
    static let cosignatureType: UInt8 = 0x04

    public let name: String
    public let keyID: UInt32
    let publicKey: PublicKey

    public init(name: String, publicKey: PublicKey) throws(AuditError) {
        try NoteKeyName.validate(name)
        guard publicKey.algorithm == .edDSA else {
            throw AuditError(.invalidVerifierKey, "cosignatures here use Ed25519 keys, not \(publicKey.algorithm.rawValue)")
        }
        self.name = name
        self.publicKey = publicKey
        keyID = Self.keyID(name: name, rawKey: NoteVerifier.rawKey(publicKey))
    }

    public init(verifierKey text: String) throws(AuditError) {
        let parts = text.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].count == 8, let idBytes = Hex.decode(parts[1]),
              let keyBytes = Base64.decode(parts[2]), keyBytes.count == 33, keyBytes[0] == Self.cosignatureType else {
            throw AuditError(.invalidVerifierKey, "not a cosignature/v1 verifier key of the form name+keyid+base64(0x04||key)")
        }
        let key: PublicKey
        do { key = try PublicKey(spkiDER: NoteVerifier.ed25519SPKIPrefix + Array(keyBytes[1...])) } catch {
            throw AuditError(.invalidVerifierKey, "witness verifier key holds no valid Ed25519 public key")
        }
        try self.init(name: String(parts[0]), publicKey: key)
        guard keyID == idBytes.reduce(0, { $0 << 8 | UInt32($1) }) else {
            throw AuditError(.invalidVerifierKey, "witness verifier key ID does not match its name and key")
        }
    }

    public var verifierKey: String {
        "\(name)+\(Hex.encode(Self.bigEndian(keyID)))+\(Base64.encode([Self.cosignatureType] + NoteVerifier.rawKey(publicKey)))"
    }

    /// The time of this key's valid cosignature on `note`; throws when there is none or one fails.
    public func verifiedTime(of note: SignedNote) throws(AuditError) -> UInt64 {
        let mine = note.signatures.filter { $0.name == name && $0.keyID == keyID }
        guard !mine.isEmpty else { throw AuditError(.unknownKey, "no cosignature by witness \(name)") }
        var time: UInt64 = 0
        for signature in mine {
            guard signature.bytes.count == 4 + 8 + 64 else {
                throw AuditError(.signatureInvalid, "cosignature by \(name) is not 76 bytes")
            }
            time = signature.bytes[4 ..< 12].reduce(0) { $0 << 8 | UInt64($1) }
            let message = Self.message(checkpointText: note.text, time: time)
            guard (try? publicKey.verify(signature: Array(signature.bytes.suffix(64)), for: message)) != nil else {
                throw AuditError(.signatureInvalid, "cosignature by \(name) does not verify over the checkpoint")
            }
        }
        return time
    }

    static func message(checkpointText: String, time: UInt64) -> [UInt8] {
        Array("cosignature/v1\ntime \(time)\n\(checkpointText)".utf8)
    }

    /// SHA-256(name || 0x0A || 0x04 || key)[:4], big-endian.
    static func keyID(name: String, rawKey: [UInt8]) -> UInt32 {
        SHA256.hash(Array(name.utf8) + [0x0A, cosignatureType] + rawKey).prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }
}
