import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Raw bytes turned into requests by the pipeline Hummingbird's HTTP/1 channel sets up: NIO's
/// decoder with the given limits, then the conversion to HTTP types. Bytes the decoder refuses
/// end the list there, as the server would answer 400 and close.
enum HTTPRequestBytes {
    static func decode(_ bytes: [UInt8], limits: NIOHTTPDecoderLimitConfiguration) -> [Request] {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: true))
        } catch {
            fatalError("the HTTP pipeline could not be set up: \(error)")
        }
        var requests: [Request] = []
        var head: HTTPRequest?
        var body = ByteBuffer()
        func collect() {
            while let part = try? channel.readInbound(as: HTTPRequestPart.self) {
                switch part {
                case .head(let started):
                    head = started
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    if let head { requests.append(Request(head: head, body: RequestBody(buffer: body))) }
                    head = nil
                }
            }
        }
        do { try channel.writeInbound(ByteBuffer(bytes: bytes)) } catch {
            collect()
            return requests
        }
        collect()
        return requests
    }
}
