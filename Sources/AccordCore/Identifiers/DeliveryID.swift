/// The gateway's id for one message to one recipient (`d-` and 32 hex digits); also the
/// nonce of the key-binding JWT the recipient receives.
public struct DeliveryID: Identifier {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}
