import AccordCrypto
import AccordPolicy
import FuzzShared
import ShippedAgreements

/// The agreement and schema loaders, as `accord agreements check` and activation run them: the
/// input stands in for an agreement file, then for a schema file, beside the shipped
/// registry and schemas; any bytes give an agreement set or diagnostics, never a trap.
let shipped = ShippedAgreements(hashing: SHA256.Hasher.self)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzAgreementYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    var sources = shipped.oneAgreement
    sources.agreements[0] = AgreementSources.File(path: sources.agreements[0].path, bytes: bytes)
    _ = AgreementSet.validate(sources, today: shipped.today)
    sources = shipped.oneAgreement
    sources.schemas[0] = AgreementSources.File(path: sources.schemas[0].path, bytes: bytes)
    _ = AgreementSet.validate(sources, today: shipped.today)
    return 0
}

@_cdecl("FuzzAgreementYAML_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzAgreementYAML)
}
