import NIOCore

/// Closes a connection whose client starts a request and has not been answered within the
/// deadline: the defence against slow clients that trickle a request's headers or body to
/// hold a connection (the idle timeout alone resets on every byte). Sits between TLS and
/// HTTP, so it sees plaintext: the first byte of a request arms the deadline, the first byte
/// of the response disarms it.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    /// True from a request's first byte to its response's first byte.
    private var awaitingResponse = false

    init(deadline: TimeAmount) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !awaitingResponse {
            awaitingResponse = true
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: deadline) {
                // The client did not finish its request in time (or the gateway could not
                // answer it): free the connection.
                loopBound.value.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if awaitingResponse {
            awaitingResponse = false
            timer?.cancel()
            timer = nil
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }
}
