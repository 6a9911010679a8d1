/// A NOTIFY that reached a connection listening on its channel.
public struct PGNotification: Sendable, Equatable {
    public let channel: String
    public let payload: String
}
