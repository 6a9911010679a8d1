public import AccordCrypto

/// Signs note texts with the gateway's Ed25519 audit key under a key name.
public struct NoteSigner: Sendable {
    public let verifier: NoteVerifier
    private let privateKey: PrivateKey

    public init(name: String, privateKey: PrivateKey) throws(AuditError) {
        self.verifier = try NoteVerifier(name: name, publicKey: privateKey.publicKey)
        self.privateKey = privateKey
    }

    /// The signed note: `text`, a blank line, and this key's signature line.
    public func sign(text: String) throws(AuditError) -> SignedNote {
        try SignedNote.validateText(text)
        let signature: [UInt8]
        do { signature = try privateKey.sign(Array(text.utf8)) } catch {
            throw AuditError(.signingFailed, "cannot sign note: \(error)")
        }
        let id = withUnsafeBytes(of: verifier.keyID.bigEndian) { Array($0) }
        return SignedNote(text: text, signatures: [.init(name: verifier.name, keyID: verifier.keyID, bytes: id + signature)])
    }
}
