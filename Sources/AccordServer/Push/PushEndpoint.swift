import AccordCore
import AccordClient
import AccordCrypto
import AccordGateway
import AccordPolicy
import AccordTLS
import Foundation
import NIOCore

/// One agency's `endpoint:` and the TLS context that reaches it: the gateway's push client
/// certificate (`gateway/push-client.pem`), and the agency's server certificate verified
/// against the agency's CA from the registry (`ca:`, else the gateway's `ca.pem`), the CRLs
/// the gateway reads for its listeners, and the endpoint's host name (docs/api.md, "Push
/// delivery"). A trust reload builds the context again from the files (`freshContext`), so that
/// a new CRL, CA or push certificate applies to pushes as it does to the listeners.
struct PushEndpoint: Sendable {
    let agency: AgencyID
    let host: String
    let port: Int
    /// The request target: path and query.
    let target: String
    private let tls: TLSContextHolder
    private let makeContext: @Sendable () throws(Problem) -> TLSContext

    /// Why an endpoint cannot be pushed to; pull still works for its agency.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    init(agency: Agency, certificatesDirectory: String, allowTLS12: Bool, acceptsLapsedCRLs: Bool = false) throws(Problem) {
        try self.init(recipient: agency.id, endpoint: agency.endpoint, issuingCA: agency.issuingCA,
                      certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12, acceptsLapsedCRLs: acceptsLapsedCRLs)
    }

    /// `issuingCA`: the CA the server certificate at `endpoint` must chain to, a file under the
    /// certificates directory; nil: the gateway's own.
    init(recipient: AgencyID, endpoint: String?, issuingCA: String?, certificatesDirectory: String, allowTLS12: Bool,
         acceptsLapsedCRLs: Bool = false) throws(Problem) {
        guard let endpoint, let url = URLComponents(string: endpoint), url.scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw Problem(description: "agency '\(recipient)': endpoint is not an https:// URL with a host")
        }
        self.agency = recipient
        self.host = host
        port = url.port ?? 443
        let path = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        target = url.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        makeContext = { () throws(Problem) in
            try Self.context(recipient: recipient, host: host, issuingCA: issuingCA, certificatesDirectory: certificatesDirectory,
                             allowTLS12: allowTLS12, acceptsLapsedCRLs: acceptsLapsedCRLs)
        }
        tls = TLSContextHolder(try makeContext())
    }

    /// The context the files give now, for a trust reload to validate before it swaps anything.
    func freshContext() throws(Problem) -> TLSContext {
        try makeContext()
    }

    /// Pushes with `context` from the next delivery on.
    func use(_ context: TLSContext) {
        tls.replace(with: context)
    }

    private static func context(recipient: AgencyID, host: String, issuingCA: String?, certificatesDirectory: String, allowTLS12: Bool,
                                acceptsLapsedCRLs: Bool) throws(Problem) -> TLSContext {
        let base = URL(fileURLWithPath: certificatesDirectory)
        let pki = DevelopmentPKI(directory: base)
        let caFile = base.appendingPathComponent(issuingCA ?? RegistryTrust.defaultCA).path
        // A revoked server certificate is refused as a revoked client certificate is: the
        // same CRLs, checked wherever the CA publishes one.
        let revocation = RegistryTrust.revocationMaterial(certificatesDirectory: certificatesDirectory, besides: [issuingCA ?? RegistryTrust.defaultCA])
        do {
            let configuration = try TLSConfiguration(
                role: .client(serverName: host),
                certificateChain: Certificate.all(pemFile: pki.gatewayPushCertificate.path),
                privateKey: PrivateKey(pemFile: pki.gatewayPushKey.path),
                trustStore: TrustStore(anchors: Certificate.all(pemFile: caFile).filter(\.isCertificateAuthority),
                                       revocationLists: revocation.lists, acceptsLapsedCRLs: acceptsLapsedCRLs),
                minimumVersion: allowTLS12 ? .tls12 : .tls13)
            return try TLSContext(configuration)
        } catch {
            throw Problem(description: "agency '\(recipient)': cannot set up TLS for its endpoint (client certificate \(pki.gatewayPushCertificate.path), CA \(caFile)): \(error)")
        }
    }

    /// A connection to the endpoint and the context it was verified with.
    struct Connection {
        let http: AccordHTTPConnection
        let context: TLSContext
    }

    /// POSTs one delivery over `connection`, opening a new one when there is none, it closed,
    /// or a trust reload replaced the context it was verified with (a revoked endpoint is not
    /// pushed to again over a connection made before). Returns the HTTP status and the
    /// answer's body, or nil when no answer came (refused, TLS, timeout).
    func post(_ body: [UInt8], deliveryID: DeliveryID, over connection: inout Connection?) async -> (status: Int?, body: [UInt8], failure: String?) {
        let context = tls.current
        if let open = connection, open.context !== context || !open.http.isOpen {
            await open.http.close()
            connection = nil
        }
        do {
            if connection == nil {
                connection = Connection(http: try await AccordHTTPConnection.connect(
                    host: host, port: port, context: context, connectTimeout: .seconds(5), requestTimeout: .seconds(15),
                    maximumResponseBodySize: 64 << 10), context: context)
            }
            guard let open = connection else { return (nil, [], "no connection") }
            let response = try await open.http.request(method: "POST", path: target, headers: [
                ("Content-Type", "application/json"), ("Accord-Delivery-Id", deliveryID.rawValue),
            ], body: body)
            return (response.status, response.body, nil)
        } catch {
            connection = nil
            return (nil, [], error.code.rawValue)
        }
    }
}
