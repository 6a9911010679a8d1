import AccordCore

/// The registry checks for partner gateways (docs/federation.md, "The registry entry").
///
/// INVARIANT: every agency a partner serves is an overseas agency of the local registry, so
/// every flow to it meets the overseas check of `SetChecks`, which requires an IPP 12
/// safeguard: nothing is forwarded without a ground.
struct FederationChecks {
    let agencies: [AgencyID: Agency]
    let gateways: [ParsedGateway]
    let log: DiagnosticLog

    func run() {
        var servedBy: [AgencyID: String] = [:]
        for parsed in gateways {
            let gateway = parsed.gateway
            if agencies[AgencyID(gateway.id)] != nil {
                log.add(.duplicateAgency, parsed.idLocation, "partner gateway id '\(gateway.id)' is already used by an agency")
            }
            for entry in parsed.serves {
                guard let agency = agencies[AgencyID(entry.value)] else {
                    log.add(.unknownAgency, entry.location,
                            "partner gateway '\(gateway.id)' serves '\(entry.value)', which is not an agency in agencies.yaml; add it as an overseas-authority")
                    continue
                }
                if !agency.isOverseas {
                    log.add(.partnerServesOwnAgency, entry.location,
                            "partner gateway '\(gateway.id)' claims to serve '\(agency.id)', an agency of \(agency.homeName); a partner serves only overseas agencies")
                    continue
                }
                if let other = servedBy[agency.id] {
                    log.add(.agencyServedTwice, entry.location,
                            "'\(agency.id)' is already served by partner gateway '\(other)'; an agency is reached one way only")
                } else if agency.endpoint != nil {
                    log.add(.agencyServedTwice, entry.location,
                            "'\(agency.id)' has an endpoint of its own and is served by partner gateway '\(gateway.id)'; remove one")
                } else {
                    servedBy[agency.id] = gateway.id
                }
            }
        }
        var seen: [String: SourceLocation] = [:]
        for parsed in gateways {
            if let first = seen[parsed.gateway.id] {
                log.add(.duplicateAgency, parsed.idLocation, "partner gateway id '\(parsed.gateway.id)' is already defined at \(first)")
            } else {
                seen[parsed.gateway.id] = parsed.idLocation
            }
        }
    }
}
