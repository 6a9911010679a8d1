import AccordCrypto
import AccordMessages
import Synchronization

/// KeyBinders hold a signing context and are not thread-safe; the gateway lends one per call.
final class KeyBinderPool: Sendable {
    private let key: PrivateKey
    private let idle: Mutex<[KeyBinderBox]>

    init(key: PrivateKey) throws(MessageError) {
        self.key = key
        idle = Mutex([KeyBinderBox(try KeyBinder(gatewayKey: key))])
    }

    func withBinder<T>(_ body: (KeyBinder) throws(MessageError) -> T) throws(MessageError) -> T {
        let box: KeyBinderBox
        if let idleBox = idle.withLock({ $0.popLast() }) {
            box = idleBox
        } else {
            box = KeyBinderBox(try KeyBinder(gatewayKey: key))
        }
        defer { idle.withLock { $0.append(box) } }
        return try body(box.binder)
    }
}

/// Moves a binder between the pool and one borrower at a time.
private final class KeyBinderBox: @unchecked Sendable {
    let binder: KeyBinder

    init(_ binder: KeyBinder) { self.binder = binder }
}
