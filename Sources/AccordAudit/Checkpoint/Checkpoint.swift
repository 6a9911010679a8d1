/// A C2SP tlog-checkpoint: the origin of the log, its size and RFC 6962 root hash, and
/// optional extension lines, carried as the text of a signed note.
public struct Checkpoint: Sendable, Equatable {
    public let origin: String
    public let size: UInt64
    public let rootHash: [UInt8]
    public let extensions: [String]

    public init(origin: String, size: UInt64, rootHash: [UInt8], extensions: [String] = []) throws(AuditError) {
        guard !origin.isEmpty, !origin.contains("\n") else { throw AuditError(.invalidCheckpoint, "checkpoint origin must be one non-empty line") }
        guard rootHash.count == 32 else { throw AuditError(.invalidCheckpoint, "checkpoint root hash must be 32 bytes") }
        guard extensions.allSatisfy({ !$0.isEmpty && !$0.contains("\n") }) else {
            throw AuditError(.invalidCheckpoint, "checkpoint extension lines must be non-empty single lines")
        }
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensions = extensions
    }

    public init(text: String) throws(AuditError) {
        guard text.hasSuffix("\n") else { throw AuditError(.invalidCheckpoint, "checkpoint text ends with a newline") }
        let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw AuditError(.invalidCheckpoint, "a checkpoint has origin, size and root hash lines") }
        let sizeLine = lines[1]
        guard let size = UInt64(sizeLine), sizeLine.allSatisfy(\.isASCII), String(size) == sizeLine else {
            throw AuditError(.invalidCheckpoint, "checkpoint size '\(sizeLine)' is not a decimal without leading zeroes")
        }
        guard let root = Base64.decode(lines[2]) else {
            throw AuditError(.invalidCheckpoint, "checkpoint root hash is not canonical base64")
        }
        try self.init(origin: lines[0], size: size, rootHash: root, extensions: Array(lines.dropFirst(3)))
    }

    public var text: String {
        ([origin, String(size), Base64.encode(rootHash)] + extensions).map { $0 + "\n" }.joined()
    }

    /// Signs this checkpoint; the key name should be the origin.
    public func signed(by signer: NoteSigner) throws(AuditError) -> SignedNote {
        try signer.sign(text: text)
    }

    /// Signs this checkpoint with each of `signers`, one signature line each: during an audit
    /// key rotation, the old key and the new (docs/audit.md, "Rotating the audit key").
    public func signed(by signers: [NoteSigner]) throws(AuditError) -> SignedNote {
        var signatures: [SignedNote.Signature] = []
        for signer in signers { signatures += try signer.sign(text: text).signatures }
        return SignedNote(text: text, signatures: signatures)
    }

    /// Parses a signed checkpoint note and returns the checkpoint once its signature verifies.
    public static func open(_ note: String, verifier: NoteVerifier) throws(AuditError) -> Checkpoint {
        try Checkpoint(text: SignedNote(parsing: note).verifiedText(by: verifier))
    }
}
