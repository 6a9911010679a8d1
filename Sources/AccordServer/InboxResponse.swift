import AccordGateway
import Hummingbird
import NIOCore

/// An inbox page written item by item as the agency reads it: each write waits until the
/// connection can take more, so a slow reader holds one item's bytes in the channel, not a
/// whole page of up to 8 MiB (docs/api.md, "Inbox"). The bytes are those `JSONResponse.make`
/// would send: RFC 8785 orders `items` before `next`, and canonical JSON is the same inside a
/// page as alone, which is also what push sends for one item.
enum InboxResponse {
    static func make(_ page: InboxPage) -> Response {
        let items = page.items
        let next = JSONResponse.bytes(page.next)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: #"{"items":["#))
            for (position, item) in items.enumerated() {
                var chunk: [UInt8] = position == 0 ? [] : [UInt8(ascii: ",")]
                chunk += JSONResponse.bytes(item)
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            try await writer.write(ByteBuffer(bytes: Array(#"],"next":"#.utf8) + next + [UInt8(ascii: "}")]))
            try await writer.finish(nil)
        })
    }
}
