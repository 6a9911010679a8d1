import AccordTLS
import FuzzShared
import Hummingbird
import NIOCore

/// The agency API's request path from raw bytes, as a connection delivers them once TLS has
/// verified its peer: NIO's HTTP/1 decoder with the gateway's header limits, then the
/// gateway's own router (every route, guard, rate limit and problem mapping) against a real
/// gateway on a throwaway database. The first byte picks the verified peer (none, an agency,
/// an operator); the rest is one or more pipelined requests. Properties: nothing crashes, and
/// no request ends in a 500 — every refusal is a problem the gateway chose, with a status and
/// a body that names it.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    guard let first = bytes.first else { return 0 }
    let harness = GatewayHarness.shared
    let peer = harness.peers[Int(first) % harness.peers.count]
    for request in HTTPRequestBytes.decode(Array(bytes.dropFirst()), limits: harness.decoderLimits).prefix(4) {
        let answer = harness.respond(to: request, as: peer)
        switch answer {
        case .response(let status, let contentType, let body):
            if status.code >= 500, status != .serviceUnavailable {
                FuzzInput.fail("\(request.method) \(request.uri.path) was answered \(status.code)")
            }
            if status.code >= 400, contentType == "application/problem+json", !body.contains("\"code\"") {
                FuzzInput.fail("a \(status.code) problem for \(request.method) \(request.uri.path) names no code")
            }
        case .thrown(let description):
            FuzzInput.fail("\(request.method) \(request.uri.path) threw past the problem middleware: \(description)")
        }
    }
    return 0
}

@_cdecl("FuzzHTTPRequest_main")
func entry(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = GatewayHarness.shared
    return FuzzDriver.run(argc, argv, fuzzHTTPRequest)
}
