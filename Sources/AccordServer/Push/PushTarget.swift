import AccordCore
import AccordPolicy

/// Where one recipient's deliveries are pushed, as the agreement set in force says: its own
/// `endpoint:`, or the partner gateway that serves it. Two targets are the same when every
/// address and file a worker is built from is, so that an activation restarts only the workers
/// whose target it changed.
enum PushTarget: Sendable, Equatable {
    case direct(Agency)
    case forward(AgencyID, PartnerGateway)

    var recipient: AgencyID {
        switch self {
        case .direct(let agency): agency.id
        case .forward(let agency, _): agency
        }
    }

    /// Every recipient pushed to under `set`; a partner gateway serving an agency takes
    /// precedence over an endpoint of its own.
    static func all(in set: AgreementSet) -> [AgencyID: PushTarget] {
        var targets: [AgencyID: PushTarget] = [:]
        for agency in set.agencies.values {
            if let partner = set.gatewayServing[agency.id] {
                targets[agency.id] = .forward(agency.id, partner)
            } else if agency.endpoint != nil {
                targets[agency.id] = .direct(agency)
            }
        }
        return targets
    }

    /// The endpoint to push to, its TLS built from the files now: the agency's own CA for its
    /// endpoint, the partner's CA for a forward.
    func endpoint(certificatesDirectory: String, allowTLS12: Bool, acceptsLapsedCRLs: Bool) throws(PushEndpoint.Problem) -> PushEndpoint {
        switch self {
        case .direct(let agency):
            try PushEndpoint(agency: agency, certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12,
                             acceptsLapsedCRLs: acceptsLapsedCRLs)
        case .forward(let agency, let partner):
            try PushEndpoint(forwardingTo: agency, via: partner, certificatesDirectory: certificatesDirectory, allowTLS12: allowTLS12)
        }
    }

    static func == (lhs: PushTarget, rhs: PushTarget) -> Bool { lhs.built == rhs.built }

    /// What a worker is built from; a registry line moved or a name changed is no change.
    private var built: [String] {
        switch self {
        case .direct(let agency):
            ["direct", agency.id.rawValue, agency.endpoint ?? "", agency.issuingCA ?? ""]
        case .forward(let agency, let partner):
            ["forward", agency.rawValue, partner.id, partner.endpoint, partner.issuingCA, partner.bindingKey]
        }
    }
}
