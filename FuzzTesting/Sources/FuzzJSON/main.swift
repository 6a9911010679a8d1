import AccordCore
import FuzzShared

/// The strict JSON parser and the RFC 8785 writer: any bytes either parse or fail with a
/// `JSONParser.Failure` (never a trap); the canonical form of what parsed parses again and,
/// written again, gives the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? JSONParser.parse(bytes, numbers: .safeIntegers)
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    guard let canonical = try? CanonicalJSON.encode(value) else { return 0 }
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(canonical)
    } catch {
        fatalError("fuzz property broken: the canonical form does not parse (\(error.reason))")
    }
    let again: [UInt8]
    do {
        again = try CanonicalJSON.encode(reparsed)
    } catch {
        fatalError("fuzz property broken: the canonical form has no canonical form (\(error.reason))")
    }
    if again != canonical {
        fatalError("fuzz property broken: the canonical form is not canonical")
    }
    return 0
}

@_cdecl("FuzzJSON_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzJSON)
}
