import AccordCrypto
import AccordPolicy
import FuzzShared
import ShippedAgreements

/// The registry loaders (agencies.yaml, purposes.yaml, properties.yaml): the input stands in
/// for each of them in turn among the shipped agreements; any bytes give an agreement set or
/// diagnostics, never a trap.
let shipped = ShippedAgreements(hashing: SHA256.Hasher.self)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzRegistryYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    for slot in [\AgreementSources.agencies, \.purposes, \.properties] {
        var sources = shipped.oneAgreement
        sources[keyPath: slot] = AgreementSources.File(path: shipped.sources[keyPath: slot]?.path ?? "registry.yaml", bytes: bytes)
        _ = AgreementSet.validate(sources, today: shipped.today)
    }
    return 0
}

@_cdecl("FuzzRegistryYAML_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzRegistryYAML)
}
