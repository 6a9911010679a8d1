import AccordConsole
import Foundation

/// The console's view of the gateway's trust, over its `TrustReloader`.
struct GatewayTrustControl: TrustControl {
    let reloader: TrustReloader

    func revocationLists() async -> [(issuer: String, nextUpdate: Date?)] {
        await reloader.current.crls.map { ($0.issuer, $0.nextUpdate) }
    }

    func reload(by actor: String) async -> TrustReloadResult {
        switch await reloader.reload(by: actor) {
        case .reloaded(let state): .reloaded(digest: state.digest)
        case .unchanged(let state): .unchanged(digest: state.digest)
        case .rejected(let problems): .rejected(problems)
        }
    }
}
