import AccordCore
import Yams

/// An agreement as read, with where each value was written, for the set-wide checks.
struct ParsedAgreement {
    let agreement: Agreement
    let idLocation: SourceLocation
    let partyLocations: [Located<String>]
    let statusLocation: SourceLocation
    let validUntilLocation: SourceLocation
    let flows: [ParsedFlow]
}

struct ParsedFlow {
    let flow: Flow
    let from: [Located<String>]
    let to: [Located<String>]
    let types: [Located<String>]
    let purposes: [Located<String>]
    let disclose: [Located<String>]
    let neverDisclose: [Located<String>]
}

/// Reads `<id>.yaml`: the checks that need only the file itself.
enum AgreementLoader {
    static let agreementKeys = ["id", "title", "version", "status", "legal_basis", "parties", "valid_from", "valid_until",
                                "review_by", "flows", "notes"]
    static let basisKeys = ["instrument", "provision", "summary"]
    static let flowKeys = ["from", "to", "types", "purposes", "max_classification", "handling", "disclose",
                           "never_disclose", "review", "hold", "ipp12_safeguard", "child_claims_basis", "notes"]

    static func agreement(_ file: AgreementSources.File, hasher: any SHA256Hashing, log: DiagnosticLog) -> ParsedAgreement? {
        guard let root = YAMLDocument.parse(file, log: log),
              let m = MappingReader(root, file: file.path, what: "an agreement", allowed: agreementKeys, log: log)
        else { return nil }
        let id = m.string("id", in: "an agreement")
        let what = id.map { "agreement '\($0)'" } ?? "an agreement"
        if let id {
            if !Identifier.isValid(id) {
                log.add(.invalidIdentifier, m.location(of: "id"),
                        "agreement id '\(id)' must be lowercase letters, digits, '.', '-' or '_', starting with a letter")
            }
            if id != file.stem {
                log.add(.agreementFileMismatch, m.location(of: "id"), "agreement '\(id)' must be in a file named '\(id).yaml'")
            }
        }
        let title = m.string("title", in: what)
        let version = m.int("version", in: what)
        if let version, version < 1 {
            log.add(.invalidVersion, m.location(of: "version"), "version must be a whole number of at least 1")
        }
        var status: AgreementStatus?
        if let text = m.string("status", in: what) {
            status = AgreementStatus(rawValue: text)
            if status == nil {
                log.add(.invalidStatus, m.location(of: "status"),
                        "status '\(text)' is not one of: \(AgreementStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let validFrom = date("valid_from", m, what, log)
        let validUntil = date("valid_until", m, what, log)
        let reviewBy = date("review_by", m, what, log)
        if let validFrom, let validUntil, validFrom > validUntil {
            log.add(.invalidValidityWindow, m.location(of: "valid_until"),
                    "valid_until (\(validUntil)) is before valid_from (\(validFrom))")
        }
        if let reviewBy, let validFrom, let validUntil, !(validFrom <= reviewBy && reviewBy <= validUntil),
           validFrom <= validUntil {
            log.add(.invalidValidityWindow, m.location(of: "review_by"),
                    "review_by (\(reviewBy)) must fall between valid_from and valid_until")
        }
        let basis = legalBasis(m, what, log)
        let parties = m.strings("parties", in: what) ?? []
        if m.has("parties"), parties.isEmpty {
            log.add(.emptyList, m.location(of: "parties"), "\(what) must name its parties")
        }
        var flows: [ParsedFlow] = []
        if let items = m.sequence("flows", in: what) {
            if items.isEmpty { log.add(.emptyList, m.location(of: "flows"), "\(what) must have at least one flow") }
            for (index, item) in items.enumerated() {
                if let flow = flow(item, number: index + 1, file: file.path, agreement: what, log: log) {
                    flows.append(flow)
                }
            }
        }
        guard let id, let title, let version, let status, let validFrom, let validUntil, let reviewBy else { return nil }
        let agreement = Agreement(id: AgreementID(id), title: title, version: version, status: status, legalBasis: basis,
                                  parties: parties.map { AgencyID($0.value) }, validFrom: validFrom, validUntil: validUntil,
                                  reviewBy: reviewBy, flows: flows.map(\.flow), digest: hasher.digest(of: file.bytes).hex,
                                  file: file.path)
        return ParsedAgreement(agreement: agreement, idLocation: m.location(of: "id"), partyLocations: parties,
                               statusLocation: m.location(of: "status"), validUntilLocation: m.location(of: "valid_until"),
                               flows: flows)
    }

    private static func date(_ key: String, _ m: MappingReader, _ what: String, _ log: DiagnosticLog) -> CalendarDate? {
        guard let text = m.string(key, in: what) else { return nil }
        guard let date = CalendarDate(text) else {
            log.add(.invalidDate, m.location(of: key), "\(key) '\(text)' must be a real date written YYYY-MM-DD")
            return nil
        }
        return date
    }

    private static func legalBasis(_ m: MappingReader, _ what: String, _ log: DiagnosticLog) -> [LegalBasis] {
        guard let items = m.sequence("legal_basis", in: what) else { return [] }
        if items.isEmpty {
            log.add(.missingLegalBasis, m.location(of: "legal_basis"),
                    "\(what) must cite at least one statute and section, or Privacy Act principle")
        }
        var out: [LegalBasis] = []
        for item in items {
            guard let b = MappingReader(item, file: m.file, what: "a legal basis", allowed: basisKeys, log: log) else { continue }
            let instrument = b.string("instrument", in: "a legal basis")
            let provision = b.string("provision", in: "a legal basis")
            let summary = b.string("summary", in: "a legal basis")
            if let instrument, let provision, let summary {
                out.append(LegalBasis(instrument: instrument, provision: provision, summary: summary))
            }
        }
        return out
    }

    private static func flow(_ node: Node, number: Int, file: String, agreement: String, log: DiagnosticLog) -> ParsedFlow? {
        let what = "flow \(number) of \(agreement)"
        guard let f = MappingReader(node, file: file, what: what, allowed: flowKeys, log: log) else { return nil }
        func list(_ key: String, required: Bool = true) -> [Located<String>]? {
            let items = f.strings(key, in: what, required: required)
            if let items, items.isEmpty, required {
                log.add(.emptyList, f.location(of: key), "'\(key)' in \(what) must not be empty")
            }
            return items
        }
        let from = list("from")
        let to = list("to")
        let types = list("types")
        let purposes = list("purposes")
        let disclose = list("disclose")
        let never = list("never_disclose", required: false) ?? []
        for entry in (disclose ?? []) + never where !ClaimPath.isValid(entry.value) {
            log.add(.invalidClaimPath, entry.location,
                    "claim path '\(entry.value)' must be dotted lowercase names, with [*] after an array")
        }
        var ceiling: Classification?
        if let text = f.string("max_classification", in: what) {
            ceiling = Classification(rawValue: text)
            if ceiling == nil {
                log.add(.invalidClassification, f.location(of: "max_classification"),
                        "classification '\(text)' is not one of: \(Classification.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var handling: HandlingCode?
        if let text = f.string("handling", in: what) {
            handling = HandlingCode(rawValue: text)
            if handling == nil {
                log.add(.invalidHandlingCode, f.location(of: "handling"),
                        "handling code '\(text)' is not one of: \(HandlingCode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var review: ReviewRequirement?
        if let text = f.string("review", in: what, required: false) {
            review = ReviewRequirement(rawValue: text)
            if review == nil {
                log.add(.invalidReview, f.location(of: "review"), "review '\(text)' must be 'privacy-officer' or left out")
            }
        }
        var hold: HoldRule?
        if let node = f.node("hold") {
            hold = HoldLoader.hold(node, file: file, what: what, log: log)
            if review != nil {
                log.add(.invalidHold, f.location(of: "review"),
                        "\(what) has both 'review' and 'hold'; 'review: privacy-officer' means 'hold: always', so keep one")
            }
        }
        var safeguard: IPP12Safeguard?
        if let text = f.string("ipp12_safeguard", in: what, required: false) {
            safeguard = IPP12Safeguard(rawValue: text)
            if safeguard == nil {
                log.add(.invalidSafeguard, f.location(of: "ipp12_safeguard"),
                        "IPP 12 safeguard '\(text)' is not one of: \(IPP12Safeguard.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let childBasis = f.string("child_claims_basis", in: what, required: false)
        guard let from, let to, let types, let purposes, let disclose else { return nil }
        // A value already reported as invalid is stood in for, so that the checks across files
        // still run on this flow and the administrator sees every problem in one run. The set
        // is refused anyway, so a stand-in never decides anything.
        if f.has("ipp12_safeguard"), safeguard == nil { safeguard = .comparableSafeguardsByAgreement }
        let flow = Flow(number: number, from: from.map { AgencyID($0.value) }, to: to.map { AgencyID($0.value) }, types: types.map(\.value),
                        purposes: purposes.map(\.value), maxClassification: ceiling ?? .restricted, handling: handling ?? .h3,
                        disclose: disclose.map(\.value), neverDisclose: never.map(\.value), review: review,
                        safeguard: safeguard, childClaimsBasis: childBasis, hold: hold, location: f.location)
        return ParsedFlow(flow: flow, from: from, to: to, types: types, purposes: purposes, disclose: disclose,
                          neverDisclose: never)
    }
}
