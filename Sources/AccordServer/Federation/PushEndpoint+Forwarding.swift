import AccordCore
import AccordPolicy

extension PushEndpoint {
    /// The endpoint that forwards `agency`'s deliveries to the partner gateway serving it: the
    /// partner's `endpoint:`, its server certificate checked against the partner's `ca:` and
    /// the endpoint's host name (docs/federation.md, "Forwarding"). The worker over it is a
    /// push worker, so a forward keeps push's order, retries, breaker and horizon.
    init(forwardingTo agency: AgencyID, via partner: PartnerGateway, certificatesDirectory: String, allowTLS12: Bool) throws(Problem) {
        try self.init(recipient: agency, endpoint: partner.endpoint, issuingCA: partner.issuingCA,
                      certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12)
    }
}
