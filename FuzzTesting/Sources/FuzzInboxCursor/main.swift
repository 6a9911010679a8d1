import AccordGateway
import FuzzShared

/// The inbox cursor clients send back as `after`: any text is either refused or is the one
/// spelling of a sequence, so that it reads back as the same text.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzInboxCursor(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    guard let sequence = InboxCursor.sequence(text) else { return 0 }
    guard sequence >= 0, String(sequence) == text else {
        fatalError("fuzz property broken: a cursor was accepted in a spelling the gateway never writes")
    }
    return 0
}

@_cdecl("FuzzInboxCursor_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzInboxCursor)
}
