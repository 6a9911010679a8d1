import AccordClient
import AccordServer
import AccordTLS
import ArgumentParser
import Foundation

/// The monitor's GETs over the agency API's mutual TLS, as one agency of a development PKI:
/// one connection, made again after any failure.
actor AgencyLogFetcher {
    let agency: String
    let pki: URL
    private var connection: AccordHTTPConnection?

    init(agency: String, pki: URL) {
        self.agency = agency
        self.pki = pki
    }

    func get(_ address: String) async throws -> LogHTTPClient.Answer {
        guard let url = URL(string: address), url.scheme == "https", let host = url.host else {
            throw ValidationError("with --as, --url must be the gateway's https:// agency API, e.g. https://localhost:8443/v1/log")
        }
        if connection?.isOpen != true {
            let context = try TLSContext.agencyClient(pkiDirectory: pki, agency: agency, serverName: host)
            connection = try await AccordHTTPConnection.connect(host: host, port: url.port ?? 443, context: context)
        }
        let response = try await connection!.request(method: "GET", path: url.path)
        return LogHTTPClient.Answer(status: response.status, body: response.body)
    }
}
