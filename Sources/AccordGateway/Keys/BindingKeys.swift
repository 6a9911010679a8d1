public import AccordCrypto
import AccordMessages
import Synchronization

/// The keys the gateway binds presentations with: the current one, which agencies name in
/// `cnf.jwk` (`GET /v1/keys`), and the previous ones an administrator keeps for an overlap
/// after a rotation (`gateway/binding-keys/`), so that messages still in flight and deliveries
/// still waiting, which name an older key, are bound with the key they name
/// (docs/operations.md, "Rotating the gateway's keys").
public final class BindingKeys: Sendable {
    private struct State {
        let current: String
        let pools: [String: KeyBinderPool]
        let jwks: [String: JWK]
    }

    private let state: Mutex<State>

    public init(current: PrivateKey, previous: [PrivateKey]) throws(GatewayStartupError) {
        state = Mutex(try Self.state(current: current, previous: previous))
    }

    /// Swaps in reloaded keys; returns the thumbprints of the old and the new current key
    /// when the current key changed.
    @discardableResult
    public func replace(current: PrivateKey, previous: [PrivateKey]) throws(GatewayStartupError) -> (old: String, new: String)? {
        let fresh = try Self.state(current: current, previous: previous)
        let old = state.withLock { state in
            let old = state.current
            state = fresh
            return old
        }
        return old == fresh.current ? nil : (old, fresh.current)
    }

    private static func state(current: PrivateKey, previous: [PrivateKey]) throws(GatewayStartupError) -> State {
        var pools: [String: KeyBinderPool] = [:]
        var jwks: [String: JWK] = [:]
        for key in [current] + previous {
            let jwk = key.publicKey.jwk
            do { pools[jwk.thumbprintBase64URL] = try KeyBinderPool(key: key) } catch {
                throw GatewayStartupError("a binding key cannot sign key-binding JWTs: \(error)")
            }
            jwks[jwk.thumbprintBase64URL] = jwk
        }
        return State(current: current.publicKey.jwk.thumbprintBase64URL, pools: pools, jwks: jwks)
    }

    /// The key agencies name now.
    public var current: JWK { state.withLock { $0.jwks[$0.current]! } }

    /// Previous keys still accepted, for `GET /v1/keys`.
    public var previous: [JWK] {
        state.withLock { state in state.jwks.filter { $0.key != state.current }.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// The thumbprint of `jwk` if it is one of these keys, current or previous. Compared member
    /// by member, which costs less than a thumbprint on every submission.
    func thumbprint(of jwk: JWK) -> String? {
        state.withLock { state in
            state.jwks.first { $0.value.kty == jwk.kty && $0.value.crv == jwk.crv && $0.value.x == jwk.x && $0.value.y == jwk.y }?.key
        }
    }

    /// The binders of the key with `thumbprint` (the current key's for deliveries accepted before
    /// the key was recorded); nil once that key is no longer kept.
    func pool(_ thumbprint: String?) -> KeyBinderPool? {
        state.withLock { state in state.pools[thumbprint ?? state.current] }
    }
}
