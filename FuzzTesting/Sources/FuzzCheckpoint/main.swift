import AccordAudit
import AccordCrypto
import Foundation
import FuzzShared

/// The signed-note and checkpoint parsers, as `accord audit` and witnesses read them: any text
/// parses or throws an `AuditError`; a note that parses re-encodes to the same text; a
/// checkpoint that parses writes the same text back; signatures are checked against the
/// verifier that signed the seeds (docs/testing.md, "Fuzzing").
let verifier = try! NoteVerifier(name: "accord.fuzz/log", publicKey: try! PrivateKey(pem: FuzzKeys.noteSigner).publicKey)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(FuzzInput.bytes(data, size)) else { return 0 }
    _ = try? NoteVerifier(verifierKey: text)
    if let checkpoint = try? Checkpoint(text: text), checkpoint.text != text {
        FuzzInput.fail("a checkpoint text does not write back as itself")
    }
    guard let note = try? SignedNote(parsing: text) else { return 0 }
    if note.encoded != text {
        FuzzInput.fail("a signed note does not encode back as itself")
    }
    if let body = try? note.verifiedText(by: verifier) {
        _ = try? Checkpoint(text: body)
    }
    return 0
}

@_cdecl("FuzzCheckpoint_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    // FuzzTesting/make-seeds: writes the signed seeds instead of fuzzing.
    if let folder = ProcessInfo.processInfo.environment["ACCORD_FUZZ_WRITE_SEEDS"] {
        SeedCheckpoints.write(to: folder, signer: try! PrivateKey(pem: FuzzKeys.noteSigner))
        return 0
    }
    return FuzzDriver.run(argc, argv, fuzzCheckpoint)
}
