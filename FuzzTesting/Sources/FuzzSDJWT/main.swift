import AccordCore
import AccordCrypto
import AccordMessages
import Foundation
import FuzzShared

/// The SD-JWT parser and verifier, as `POST /v1/messages` runs them on a body: any text is
/// verified or refused with a `MessageError`, never a trap. The resolver knows the key that
/// signed the seeds, so mutations of the disclosures and of the key-binding JWT are checked
/// past the issuer's signature. Seeds: FuzzTesting/Corpus/sdjwt (FuzzTesting/make-seeds).
let issuerKey = try! PrivateKey(pem: FuzzKeys.issuer)
let holderKey = try! PrivateKey(pem: FuzzKeys.holder)
let verifier = SDJWTVerifier(resolver: StaticIssuerKeyResolver([SeedMessages.issuer: [SeedMessages.kid: issuerKey.publicKey]]))
let binding = KeyBindingExpectation(audience: SeedMessages.audience, nonce: SeedMessages.nonce)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSDJWT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let text = FuzzInput.text(FuzzInput.bytes(data, size)) else { return 0 }
    _ = try? verifier.verify(text, now: SeedMessages.now)
    guard let message = try? verifier.verify(text, now: SeedMessages.now, keyBinding: binding) else { return 0 }
    _ = message.redact(permitting: ["subject", "subject.name", "indicators"])
    return 0
}

@_cdecl("FuzzSDJWT_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    // FuzzTesting/make-seeds: writes the signed seeds instead of fuzzing.
    if let folder = ProcessInfo.processInfo.environment["ACCORD_FUZZ_WRITE_SEEDS"] {
        SeedMessages.write(to: folder, issuer: issuerKey, holder: holderKey)
        return 0
    }
    return FuzzDriver.run(argc, argv, fuzzSDJWT)
}
