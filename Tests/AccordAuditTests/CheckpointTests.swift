import AccordCore
import Foundation
import AccordAudit
import AccordCrypto
import Testing

/// C2SP signed-note and tlog-checkpoint: the Go sumdb/note known answer, round trips, and
/// the forgeries a verifier must refuse.
@Suite struct CheckpointTests {
    static let goVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goNote = "If you think cryptography is the answer to your problem,\n"
        + "then you don't know what your problem is.\n\n"
        + "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test func goKnownAnswerVerifies() throws {
        let verifier = try NoteVerifier(verifierKey: Self.goVerifierKey)
        #expect(verifier.keyID == 0xC74F_20A3)
        #expect(verifier.verifierKey == Self.goVerifierKey)
        let note = try SignedNote(parsing: Self.goNote)
        #expect(note.encoded == Self.goNote)
        #expect(try note.verifiedText(by: verifier).hasPrefix("If you think"))
    }

    @Test func goKnownAnswerSignsIdentically() throws {
        // The seed of the Go test key PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALV…, in PKCS#8.
        let seed = Vectors.bytes("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz").dropFirst()
        let der: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed
        let pem = "-----BEGIN PRIVATE KEY-----\n\(Base64URL.encode(der).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))\n-----END PRIVATE KEY-----\n"
        let signer = try NoteSigner(name: "PeterNeumann", privateKey: PrivateKey(pem: pem))
        #expect(signer.verifier.verifierKey == Self.goVerifierKey)
        let text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
        #expect(try signer.sign(text: text).encoded == Self.goNote)
    }

    @Test func tamperedOrForeignNotesAreRefused() throws {
        let verifier = try NoteVerifier(verifierKey: Self.goVerifierKey)
        let changedText = Self.goNote.replacingOccurrences(of: "problem,", with: "problems,")
        #expect(throws: AuditError(.signatureInvalid, "signature by PeterNeumann does not verify over the note text")) {
            try SignedNote(parsing: changedText).verifiedText(by: verifier)
        }
        let otherKey = try NoteSigner(name: "PeterNeumann", privateKey: PrivateKey.generate(.edDSA))
        #expect(throws: AuditError.self) { try SignedNote(parsing: Self.goNote).verifiedText(by: otherKey.verifier) }
        for malformed in [
            Self.goNote.replacingOccurrences(of: "\u{2014}", with: "--"),
            String(Self.goNote.dropLast()),
            Self.goNote.replacingOccurrences(of: "\n\n", with: "\n"),
            Self.goNote.replacingOccurrences(of: "Peter", with: "Pe\tter"),
        ] {
            #expect(throws: AuditError.self) { try SignedNote(parsing: malformed).verifiedText(by: verifier) }
        }
        #expect(throws: AuditError.self) { try NoteVerifier(verifierKey: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") }
        #expect(throws: AuditError.self) { try NoteVerifier(name: "bad name", publicKey: otherKey.verifier.publicKey) }
    }

    @Test func checkpointRoundTripAndStrictParsing() throws {
        let signer = try NoteSigner(name: "accord.example/audit", privateKey: PrivateKey.generate(.edDSA))
        let checkpoint = try Checkpoint(origin: "accord.example/audit", size: 20852163, rootHash: [UInt8](repeating: 7, count: 32))
        let note = try checkpoint.signed(by: signer).encoded
        #expect(note.hasPrefix("accord.example/audit\n20852163\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u{2014} accord.example/audit "))
        #expect(try Checkpoint.open(note, verifier: signer.verifier) == checkpoint)
        let verifier = try NoteVerifier(verifierKey: signer.verifier.verifierKey)
        #expect(try Checkpoint.open(note, verifier: verifier) == checkpoint)
        let forged = note.replacingOccurrences(of: "20852163", with: "20852164")
        #expect(throws: AuditError.self) { try Checkpoint.open(forged, verifier: signer.verifier) }
        for text in ["o\n012\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n", "o\n12\nBwcH\n", "o\n12\n", "\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
                     "o\n+1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n", "o\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n"] {
            #expect(throws: AuditError.self, "\(text.debugDescription)") { try Checkpoint(text: text) }
        }
    }
}
