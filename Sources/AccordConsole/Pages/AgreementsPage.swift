import AccordCore
import AccordCrypto
import AccordAudit
import AccordPolicy
import AccordPolicyFiles
import Foundation
import Hummingbird

/// Agreements: the proposed set in the directory checked, tested and compared with the active
/// set; activation and status changes go through the gateway's `AgreementControl`.
extension Console {
    enum ProposedSet {
        case valid(AgreementSet, AgreementSources)
        case invalid([Diagnostic])
        case unreadable(String)
    }

    var today: CalendarDate { CalendarDate(environment.now()) }

    func proposedSet() -> ProposedSet {
        let sources: AgreementSources
        do { sources = try AgreementSources.read(directory: environment.agreementsDirectory, hashing: SHA256.Hasher.self) } catch {
            return .unreadable(error.description)
        }
        let (set, diagnostics) = AgreementSet.validate(sources, today: today)
        guard let set, diagnostics.isEmpty else { return .invalid(diagnostics) }
        return .valid(set, sources)
    }

    func agreementsPage(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewAgreements, request, context) { person, query in
            let active = environment.agreements.active
            let canEdit = person.role.permits(.changeAgreements)
            let files = canEdit ? agreementFiles.names() : []
            var data: [String: Any] = [
                "csrf": token(person), "activeGeneration": active.generation, "activeDigest": active.setDigest,
                "directory": environment.agreementsDirectory.path, "today": today.description,
                "files": files.map { ["name": $0] }, "canEdit": canEdit,
            ]
            if let saved = query["saved"] { data["saved"] = saved }
            var shown = active.policy.set
            switch proposedSet() {
            case .unreadable(let reason):
                data["diagnostics"] = [["location": environment.agreementsDirectory.path, "message": reason, "code": "unreadable-source"]]
                data["hasDiagnostics"] = true
                data["diagnosticCount"] = 1
            case .invalid(let diagnostics):
                data["diagnostics"] = diagnostics.map { ["location": $0.location.description, "message": $0.message, "code": $0.check.rawValue] }
                data["hasDiagnostics"] = true
                data["diagnosticCount"] = diagnostics.count
            case .valid(let set, let sources):
                shown = set
                data["valid"] = true
                data["proposedDigest"] = sources.filesDigest
                let changes = PolicyDiff(old: active.policy.set, new: set, on: today).changes.map(Self.change)
                data["changes"] = changes
                data["hasChanges"] = !changes.isEmpty
                let scenarios = runScenarios(set)
                data["scenarios"] = scenarios.rows
                data["scenarioPassed"] = scenarios.rows.filter { ($0["result"] as? String) == "pass" }.count
                data["scenarioFailed"] = scenarios.rows.count - (data["scenarioPassed"] as? Int ?? 0) + scenarios.problems.count
                data["scenarioProblems"] = scenarios.problems
                data["hasScenarioProblems"] = !scenarios.problems.isEmpty
                let properties = PropertyCheck(sources, set: set)
                data["hasPropertiesFile"] = sources.properties != nil
                data["propertyProblems"] = properties.problems.map { ["location": $0.location.description, "message": $0.message] }
                data["properties"] = properties.results.map { result -> [String: Any] in
                    ["name": result.property.name, "location": result.property.location.description,
                     "result": result.holds ? "holds" : "BROKEN", "resultClass": result.holds ? "ok" : "bad",
                     "counterexamples": PropertyCheck.grouped(result.counterexamples)]
                }
                data["propertiesBroken"] = !properties.diagnostics.isEmpty
                data["impact"] = await impact(of: set)
            }
            data["agreements"] = shown.agreements.map { agreement -> [String: Any] in
                [
                    "id": agreement.id.rawValue, "title": agreement.title, "version": agreement.version, "status": agreement.status.rawValue,
                    "validFrom": agreement.validFrom.description, "validUntil": agreement.validUntil.description,
                    "reviewBy": agreement.reviewBy.description, "file": agreement.file, "parties": agreement.parties.joined(separator: ", "),
                    "legalBasis": agreement.legalBasis.map { ["instrument": $0.instrument, "provision": $0.provision, "summary": $0.summary] },
                    "flows": agreement.flows.map { flow -> [String: Any] in
                        [
                            "number": flow.number, "from": flow.from.joined(separator: ", "), "to": flow.to.joined(separator: ", "),
                            "types": flow.types.joined(separator: ", "), "purposes": flow.purposes.joined(separator: ", "),
                            "ceiling": flow.maxClassification.rawValue, "handling": flow.handling.rawValue,
                            "disclose": flow.disclose.joined(separator: ", "), "neverDisclose": flow.neverDisclose.joined(separator: ", "),
                            "review": flow.hold?.summary ?? "none", "safeguard": flow.safeguard?.rawValue ?? "",
                        ]
                    },
                    "fileName": files.first { $0 == URL(fileURLWithPath: agreement.file).lastPathComponent } ?? "",
                    "canChange": data["valid"] != nil && (agreement.status == .active || agreement.status == .draft),
                    "canSuspend": agreement.status == .active, "canActivate": agreement.status == .draft,
                ]
            }
            return renderer.page("agreements", title: "Agreements", data: data, operator: person, current: "/agreements")
        }
    }

    /// What the proposed set would have done differently to the last 90 days of traffic.
    func impact(of set: AgreementSet) async -> [String: Any] {
        let since = environment.now().addingTimeInterval(-90 * 86_400)
        let past: [PastDecision]
        do { past = try await PastTraffic.decisions(in: environment.store, since: since) } catch {
            return ["unavailable": "The audit log could not be read (\(error)); no impact shown."]
        }
        let report = ImpactAnalysis.replay(past, against: CompiledPolicy(set), on: today)
        func day(_ date: Date) -> String { CalendarDate(date).description }
        func tally(_ t: ImpactReport.Tally) -> String {
            "\(t.messages) message(s), \(day(t.first)) to \(day(t.last))"
        }
        var rows: [[String: Any]] = []
        for change in report.closed {
            rows.append(["kind": "closed", "label": "Closes", "key": change.key.description, "agreement": change.agreement.rawValue,
                         "detail": "\(tally(change.tally)) delivered then would be refused (\(change.reason))"])
        }
        for change in report.opened {
            rows.append(["kind": "opened", "label": "Opens", "key": change.key.description, "agreement": change.agreement.rawValue,
                         "detail": "\(tally(change.tally)) refused then (\(change.reason)) would be delivered"])
        }
        for change in report.newlyWithheld {
            rows.append(["kind": "changed", "label": "Withholds", "key": change.key.description, "agreement": change.agreement.rawValue,
                         "detail": "\(change.path): \(tally(change.tally))"])
        }
        for change in report.newlyDisclosed {
            rows.append(["kind": "changed", "label": "Discloses", "key": change.key.description, "agreement": change.agreement.rawValue,
                         "detail": "\(change.path): \(tally(change.tally))"])
        }
        var notes: [String] = []
        if report.refusalsWithoutClassification > 0 {
            notes.append("\(report.refusalsWithoutClassification) refusal(s) replayed at UNCLASSIFIED: refusals do not record their classification.")
        }
        if report.notReplayed > 0 {
            notes.append("\(report.notReplayed) refusal(s) for their classification not replayed: refusals do not record it.")
        }
        return ["decisions": report.decisions, "rows": rows, "hasRows": !rows.isEmpty, "notes": notes]
    }

    static func change(_ change: PolicyDiff.Change) -> [String: Any] {
        switch change {
        case .opened(let key, let agreement, let disclosed, let held):
            ["kind": "opened", "label": "Opens", "key": key.description, "agreement": agreement.rawValue,
             "detail": "discloses " + (disclosed.isEmpty ? "nothing" : disclosed.joined(separator: ", ")) + (held ? "; held for a privacy officer" : "")]
        case .closed(let key, let agreement):
            ["kind": "closed", "label": "Closes", "key": key.description, "agreement": agreement.rawValue, "detail": ""]
        case .changed(let key, let agreement, let newlyDisclosed, let newlyWithheld, let notes):
            ["kind": "changed", "label": "Changes", "key": key.description, "agreement": agreement.rawValue,
             "detail": ((newlyDisclosed.isEmpty ? [] : ["newly disclosed: " + newlyDisclosed.joined(separator: ", ")])
                 + (newlyWithheld.isEmpty ? [] : ["newly withheld: " + newlyWithheld.joined(separator: ", ")]) + notes).joined(separator: "; ")]
        }
    }

    /// What activating the directory as it is now would change, for an administrator whose
    /// review is out of date.
    func changedSinceReviewDetails() -> [String] {
        switch proposedSet() {
        case .valid(let set, _):
            let changes = PolicyDiff(old: environment.agreements.active.policy.set, new: set, on: today).changes
            return changes.isEmpty ? ["No change in what may be sent today."] : changes.map(\.description)
        case .invalid(let diagnostics):
            return ["The files now have \(diagnostics.count) problem(s) and cannot be activated."] + diagnostics.map(\.description)
        case .unreadable(let reason):
            return [reason]
        }
    }

    /// What making agreement `id` active would change now, its file as the directory holds it,
    /// for an administrator whose review of it is out of date.
    func changedSinceReviewDetails(makingActive id: String) -> [String] {
        guard var sources = try? AgreementSources.read(directory: environment.agreementsDirectory, hashing: SHA256.Hasher.self) else {
            return changedSinceReviewDetails()
        }
        guard let index = sources.agreements.firstIndex(where: { AgreementFileEdit.value(of: "id", in: String(decoding: $0.bytes, as: UTF8.self)) == id }),
              let active = AgreementFileEdit.settingStatus(.active, in: String(decoding: sources.agreements[index].bytes, as: UTF8.self)) else {
            return ["Agreement \(id) is no longer a file in the agreements directory."]
        }
        sources.agreements[index] = AgreementSources.File(path: sources.agreements[index].path, text: active)
        let (set, diagnostics) = AgreementSet.validate(sources, today: today)
        guard let set, diagnostics.isEmpty else {
            return ["The files now have \(diagnostics.count) problem(s) and cannot be activated."] + diagnostics.map(\.description)
        }
        let changes = PolicyDiff(old: environment.agreements.active.policy.set, new: set, on: today).changes.filter { change in
            switch change {
            case .opened(_, let agreement, _, _), .closed(_, let agreement), .changed(_, let agreement, _, _, _): agreement.rawValue == id
            }
        }
        return changes.isEmpty ? ["Making \(id) active would change nothing that may be sent today."] : changes.map(\.description)
    }

    /// Runs `tests/*.yaml` in the agreements directory against `set`.
    func runScenarios(_ set: AgreementSet) -> (rows: [[String: Any]], problems: [String]) {
        let directory = environment.agreementsDirectory.appendingPathComponent("tests")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        let policy = CompiledPolicy(set)
        var rows: [[String: Any]] = []
        var problems: [String] = []
        for name in names {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else {
                problems.append("tests/\(name) cannot be read")
                continue
            }
            do {
                for scenario in try Scenario.load(AgreementSources.File(path: "tests/\(name)", bytes: Array(data))) {
                    let mismatches = scenario.mismatches(policy.evaluate(scenario.routing, claimPaths: scenario.claimPaths, for: scenario.recipient, on: scenario.date))
                    rows.append(["name": scenario.name, "location": scenario.location.description, "mismatches": mismatches,
                                 "result": mismatches.isEmpty ? "pass" : "FAIL", "resultClass": mismatches.isEmpty ? "ok" : "bad"])
                }
            } catch {
                problems.append(([error.description] + error.diagnostics.map(\.description)).joined(separator: "; "))
            }
        }
        return (rows, problems)
    }

    /// Activates the version the administrator reviewed, named by the files digest the page
    /// showed; files changed since are refused with 409 and what activating them would change.
    func activate(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.changeAgreements, request, context, form: true) { person, form in
            guard let reviewed = form["digest"], !reviewed.isEmpty else {
                return renderer.error(.badRequest, title: "Agreements",
                                      message: "The form named no reviewed version of the agreements; review them on the Agreements page.", operator: person)
            }
            return report(await environment.agreements.activate(reviewed: reviewed, by: person.actor), person, success: "The proposed set is now active")
        }
    }

    func changeStatus(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.changeAgreements, request, context, form: true) { person, form in
            guard let id = form["agreement"], let status = form["status"].flatMap(AgreementStatus.init(rawValue:)),
                  status == .suspended || status == .active else {
                return renderer.error(.badRequest, title: "Agreements", message: "The form named no agreement or no valid status.", operator: person)
            }
            let reviewed = form["digest"].flatMap { $0.isEmpty ? nil : $0 }
            if status == .active, reviewed == nil {
                return renderer.error(.badRequest, title: "Agreements",
                                      message: "The form named no reviewed version of the agreements; review them on the Agreements page.", operator: person)
            }
            return report(await environment.agreements.setStatus(status, agreementID: id, reviewed: reviewed, by: person.actor), person,
                          success: "Agreement \(id) is now \(status.rawValue)", madeActive: status == .active ? id : nil)
        }
    }

    /// `madeActive` names the agreement "Make active" was asked of, so that a review found
    /// out of date shows what making that agreement active would now change.
    func report(_ result: ActivationOutcome, _ person: ConsoleOperator, success: String, madeActive: String? = nil) -> Response {
        switch result {
        case .activated(let digest, let generation):
            outcome(person, title: "Agreements", kind: "ok", message: "\(success): generation \(generation), set digest \(digest).",
                    back: "/agreements", backLabel: "Back to agreements")
        case .rejected(let diagnostics):
            outcome(person, title: "Agreements", kind: "error",
                    message: "Not activated: the set has \(diagnostics.count) problem(s). The active set is unchanged.",
                    details: diagnostics.map(\.description), back: "/agreements", backLabel: "Back to agreements", status: .unprocessableContent)
        case .changedSinceReview(let filesDigest):
            outcome(person, title: "Agreements", kind: "error",
                    message: "Not activated: the agreement files changed since you reviewed them (they are now \(filesDigest)). The active set is unchanged; review the change below and on the Agreements page, then activate again.",
                    details: madeActive.map(changedSinceReviewDetails(makingActive:)) ?? changedSinceReviewDetails(),
                    back: "/agreements", backLabel: "Review the agreements again", status: .conflict)
        case .failed(let reason):
            outcome(person, title: "Agreements", kind: "error", message: "Not activated: \(reason). The active set is unchanged.",
                    back: "/agreements", backLabel: "Back to agreements", status: .internalServerError)
        }
    }
}
