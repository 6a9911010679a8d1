import Foundation

/// A C2SP signed note: text ending in a newline, a blank line, then signature lines
/// `— <key name> base64(key ID || signature)`. Parsing is strict; verification follows the
/// spec: unknown keys are ignored, a failing known key rejects the note, and at least one
/// known key must verify.
public struct SignedNote: Sendable, Equatable {
    /// One signature line; `bytes` holds the 4-byte key ID followed by the signature.
    public struct Signature: Sendable, Equatable {
        public let name: String
        public let keyID: UInt32
        public let bytes: [UInt8]
    }

    static let maximumSignatures = 100
    static let dashPrefix = "\u{2014} "

    public let text: String
    public let signatures: [Signature]

    init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    public var encoded: String {
        text + "\n" + signatures.map { "\(Self.dashPrefix)\($0.name) \(Base64.encode($0.bytes))\n" }.joined()
    }

    public init(parsing note: String) throws(AuditError) {
        guard note.hasSuffix("\n") else { throw AuditError(.invalidNote, "a signed note ends with a newline") }
        try Self.refuseControlCharacters(note)
        guard let split = note.range(of: "\n\n", options: .backwards) else {
            throw AuditError(.invalidNote, "a signed note has a blank line before its signatures")
        }
        let text = String(note[..<split.lowerBound]) + "\n"
        let block = note[split.upperBound...].dropLast()
        var signatures: [Signature] = []
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(Self.dashPrefix) else {
                throw AuditError(.invalidNote, "signature line does not start with an em dash and a space")
            }
            let fields = line.dropFirst(Self.dashPrefix.count).split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, let bytes = Base64.decode(fields[1]), bytes.count > 4 else {
                throw AuditError(.invalidNote, "signature line is not '— <name> <base64>'")
            }
            let name = String(fields[0])
            try NoteKeyName.validate(name)
            signatures.append(Signature(name: name, keyID: bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }, bytes: bytes))
        }
        guard !signatures.isEmpty else { throw AuditError(.invalidNote, "a signed note has at least one signature") }
        guard signatures.count <= Self.maximumSignatures else {
            throw AuditError(.invalidNote, "more than \(Self.maximumSignatures) signatures")
        }
        self.init(text: text, signatures: signatures)
    }

    /// Returns the text once a signature by `verifier` checks; throws otherwise.
    public func verifiedText(by verifier: NoteVerifier) throws(AuditError) -> String {
        let matching = signatures.filter { $0.name == verifier.name && $0.keyID == verifier.keyID }
        guard !matching.isEmpty else {
            throw AuditError(.unknownKey, "note carries no signature by \(verifier.name) (key ID \(String(verifier.keyID, radix: 16)))")
        }
        let message = Array(text.utf8)
        for signature in matching where !verifier.verify(signature: Array(signature.bytes.dropFirst(4)), text: message) {
            throw AuditError(.signatureInvalid, "signature by \(verifier.name) does not verify over the note text")
        }
        return text
    }

    static func validateText(_ text: String) throws(AuditError) {
        guard text.hasSuffix("\n") else { throw AuditError(.invalidNote, "note text ends with a newline") }
        try refuseControlCharacters(text)
    }

    private static func refuseControlCharacters(_ text: String) throws(AuditError) {
        for scalar in text.unicodeScalars where scalar.value < 0x20 && scalar != "\n" {
            throw AuditError(.invalidNote, "signed notes hold no control characters other than newline")
        }
    }
}
