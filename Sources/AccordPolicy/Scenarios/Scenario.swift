public import AccordCore
import Yams

/// An example message with the decision an administrator expects, from `Agreements/tests/*.yaml`.
public struct Scenario: Sendable {
    public let name: String
    public let location: SourceLocation
    public let date: CalendarDate
    /// The example message's routing claims.
    public let routing: RoutingClaims
    /// The paths of the claims it carries.
    public let claimPaths: [String]
    public let recipient: AgencyID
    public let expected: Expectation

    /// The expected decision; lists left out are not compared.
    public struct Expectation: Sendable {
        public let deliver: Bool
        public let code: DenialCode?
        public let agreement: AgreementID?
        public let held: Bool?
        /// The codes of the hold's reasons (`always`, `disclosed-child`, `classification`, `recipient-overseas`).
        public let heldBecause: [String]?
        public let disclosed: [String]?
        public let withheld: [String]?
    }

    /// Checks `decision` against the expectation; returns what differs, empty when it passed.
    public func mismatches(_ decision: Decision) -> [String] {
        var out: [String] = []
        switch (decision, expected.deliver) {
        case (.deny(let denial), true):
            out.append("expected deliver, got deny \(denial.code.rawValue): \(denial.explanation)")
        case (.deliver(let delivery), false):
            out.append("expected deny \(expected.code?.rawValue ?? ""), got deliver under '\(delivery.agreementID)'")
        case (.deny(let denial), false):
            if let code = expected.code, code != denial.code {
                out.append("expected deny \(code.rawValue), got deny \(denial.code.rawValue): \(denial.explanation)")
            }
        case (.deliver(let d), true):
            if let agreement = expected.agreement, agreement != d.agreementID {
                out.append("expected agreement '\(agreement)', got '\(d.agreementID)'")
            }
            if let held = expected.held, held != d.held { out.append("expected held \(held), got \(d.held)") }
            let because = d.holdReasons.map(\.code)
            if let expected = expected.heldBecause, Set(expected) != Set(because) {
                out.append("expected held because [\(expected.joined(separator: ", "))], got [\(because.joined(separator: ", "))]")
            }
            if let disclosed = expected.disclosed, Set(disclosed) != Set(d.disclosed) {
                out.append("expected disclosed [\(disclosed.joined(separator: ", "))], got [\(d.disclosed.joined(separator: ", "))]")
            }
            if let withheld = expected.withheld, Set(withheld) != Set(d.withheldPaths) {
                out.append("expected withheld [\(withheld.joined(separator: ", "))], got [\(d.withheldPaths.joined(separator: ", "))]")
            }
        }
        return out
    }

    /// Reads one scenario file. Throws `PolicyError.invalidScenario` with every problem found.
    public static func load(_ file: AgreementSources.File) throws(PolicyError) -> [Scenario] {
        let log = DiagnosticLog()
        let scenarios = parse(file, log: log)
        guard log.items.isEmpty else {
            throw PolicyError(.invalidScenario, "\(file.path): scenario file has problems", diagnostics: log.items)
        }
        return scenarios
    }

    private static func parse(_ file: AgreementSources.File, log: DiagnosticLog) -> [Scenario] {
        guard let root = YAMLDocument.parse(file, log: log),
              let top = MappingReader(root, file: file.path, what: "a scenario file", allowed: ["date", "scenarios"], log: log)
        else { return [] }
        let fileDate = top.string("date", in: "a scenario file", required: false).flatMap { text in
            let date = CalendarDate(text)
            if date == nil { log.add(.invalidDate, top.location(of: "date"), "date '\(text)' must be YYYY-MM-DD") }
            return date
        }
        var out: [Scenario] = []
        for item in top.sequence("scenarios", in: "a scenario file") ?? [] {
            guard let s = MappingReader(item, file: file.path, what: "a scenario",
                                        allowed: ["name", "date", "message", "recipient", "expect"], log: log),
                  let name = s.string("name", in: "a scenario")
            else { continue }
            let what = "scenario '\(name)'"
            var date = fileDate
            if let text = s.string("date", in: what, required: false) {
                date = CalendarDate(text)
                if date == nil { log.add(.invalidDate, s.location(of: "date"), "date '\(text)' must be YYYY-MM-DD") }
            } else if date == nil {
                log.add(.missingKey, s.location, "\(what) needs a 'date' (or one for the whole file)")
            }
            let recipient = s.string("recipient", in: what)
            let message = s.node("message").flatMap { messageNode($0, file: file.path, what: what, log: log) }
            if !s.has("message") { log.add(.missingKey, s.location, "\(what) is missing required key 'message'") }
            let expected = s.node("expect").flatMap { expectation($0, file: file.path, what: what, log: log) }
            if !s.has("expect") { log.add(.missingKey, s.location, "\(what) is missing required key 'expect'") }
            if let date, let recipient, let message, let expected {
                out.append(Scenario(name: name, location: s.location, date: date, routing: message.routing, claimPaths: message.claimPaths,
                                    recipient: AgencyID(recipient),
                                    expected: expected))
            }
        }
        return out
    }

    private static func messageNode(_ node: Node, file: String, what: String, log: DiagnosticLog) -> (routing: RoutingClaims, claimPaths: [String])? {
        let keys = ["iss", "type", "to", "purpose", "classification", "agreement", "case_ref", "claims"]
        guard let m = MappingReader(node, file: file, what: "the message of \(what)", allowed: keys, log: log) else { return nil }
        let context = "the message of \(what)"
        guard let iss = m.string("iss", in: context), let type = m.string("type", in: context),
              let to = m.strings("to", in: context), let purpose = m.string("purpose", in: context),
              let classification = m.string("classification", in: context)
        else { return nil }
        let routing = RoutingClaims(issuer: AgencyID(iss), type: type, recipients: to.map { AgencyID($0.value) }, purpose: purpose,
                                    classification: classification,
                                    agreement: m.string("agreement", in: context, required: false).map(AgreementID.init(rawValue:)),
                                    caseReference: m.string("case_ref", in: context, required: false))
        return (routing, (m.strings("claims", in: context, required: false) ?? []).map(\.value))
    }

    private static func expectation(_ node: Node, file: String, what: String, log: DiagnosticLog) -> Expectation? {
        let keys = ["decision", "code", "agreement", "held", "held_because", "disclosed", "withheld"]
        let context = "the expectation of \(what)"
        guard let e = MappingReader(node, file: file, what: context, allowed: keys, log: log),
              let decision = e.string("decision", in: context)
        else { return nil }
        guard decision == "deliver" || decision == "deny" else {
            log.add(.wrongType, e.location(of: "decision"), "decision must be 'deliver' or 'deny'")
            return nil
        }
        var code: DenialCode?
        if let text = e.string("code", in: context, required: false) {
            code = DenialCode(rawValue: text)
            if code == nil {
                log.add(.wrongType, e.location(of: "code"),
                        "code '\(text)' is not one of: \(DenialCode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        let held: Bool? = e.has("held") ? e.bool("held", in: context) : nil
        return Expectation(deliver: decision == "deliver", code: code,
                           agreement: e.string("agreement", in: context, required: false).map(AgreementID.init(rawValue:)), held: held,
                           heldBecause: e.strings("held_because", in: context, required: false)?.map(\.value),
                           disclosed: e.strings("disclosed", in: context, required: false)?.map(\.value),
                           withheld: e.strings("withheld", in: context, required: false)?.map(\.value))
    }
}
