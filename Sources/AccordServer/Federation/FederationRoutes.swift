import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordTLS
import Foundation
import Hummingbird
import NIOCore

/// `POST /v1/federation/deliveries` on the agency listener: a partner gateway forwarding one
/// delivery for one of our agencies (docs/federation.md, "Receiving"). Not behind
/// `AgencyGuard`: the caller is a gateway, and which partner it is comes from the CA that issued
/// its certificate, as the registry binds it.
struct FederationRoutes: Sendable {
    let gateway: Gateway
    let certificatesDirectory: String
    let maxBodyBytes: Int
    let rateLimiter: RateLimiter

    func register(on router: Router<GatewayRequestContext>) {
        router.post("v1/federation/deliveries") { request, context in try await receive(request, context) }
        MethodNotAllowed.register("v1/federation/deliveries", allowing: [.post], on: router)
    }

    private func receive(_ request: Request, _ context: GatewayRequestContext) async throws -> Response {
        guard case .gateway = context.peer?.identity, let certificate = context.peer?.certificate else {
            throw GatewayProblem(code: "not-a-partner-gateway", status: 403, title: "A partner gateway certificate is required",
                                 detail: "the TLS client certificate does not carry a gateway identity (urn:accord:gateway:<name>)")
        }
        let (partner, pinnedKey) = try self.partner(issuing: certificate)
        if let wait = rateLimiter.take("gateway:\(partner.id)") {
            throw GatewayProblem(code: "rate-limited", status: 429, title: "Too many requests",
                                 detail: "partner gateway '\(partner.id)' is over its request rate; retry after \(wait) s", retryAfter: wait)
        }
        var request = request
        let body: ByteBuffer
        // An inbox item is the SD-JWT and its key-binding JWT inside a little JSON.
        do { body = try await request.collectBody(upTo: 2 * maxBodyBytes) } catch {
            throw GatewayProblem(code: "body-too-large", status: 413, title: "The forward is too large",
                                 detail: "the body exceeds the limit of \(2 * maxBodyBytes) bytes")
        }
        let receipt = try await gateway.receiveForward(Array(buffer: body), from: partner.id, pinnedKey: pinnedKey)
        return JSONResponse.make(receipt, status: .created)
    }

    /// The registry's partner whose `ca:` issued `certificate`, and its pinned binding key.
    /// The handshake already refused a gateway certificate from any CA that is not a partner's.
    private func partner(issuing certificate: Certificate) throws(GatewayProblem) -> (PartnerGateway, PublicKey) {
        let base = URL(fileURLWithPath: certificatesDirectory)
        for partner in gateway.policy.current.policy.set.gateways.values.sorted(by: { $0.id < $1.id }) {
            guard let authorities = try? Certificate.all(pemFile: base.appendingPathComponent(partner.issuingCA).path),
                  let store = try? TrustStore(anchors: authorities.filter(\.isCertificateAuthority)),
                  (try? store.verify(certificate, purpose: .tlsClient)) != nil else { continue }
            guard let key = partner.pinnedBindingKey(certificatesDirectory: certificatesDirectory) else {
                throw GatewayProblem(code: "binding-key-unreadable", status: 503, title: "Cannot check the forward",
                                     detail: "the binding_key agencies.yaml pins for '\(partner.id)' cannot be read; run 'accord agreements check --certificates'")
            }
            return (partner, key)
        }
        throw GatewayProblem(code: "unknown-partner", status: 403, title: "Not a partner gateway",
                             detail: "the gateway certificate was not issued by the ca: of any kind: gateway entry in agencies.yaml")
    }
}
