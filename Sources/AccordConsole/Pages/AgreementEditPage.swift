import AccordPolicy
import Foundation
import Hummingbird
import Logging
import Synchronization

/// Writing agreements in the browser: edit a file, or start a draft from a template or a copy.
/// Saving checks the text with the rest of the directory and writes nothing while it has
/// problems; a saved file changes nothing in force until the set is activated.
///
/// Saving writes no audit record: it changes no decision the gateway makes. Activation does,
/// and writes `agreements.activated` with the digest of the set, whose content is stored.
/// Each save is logged with the operator, file, agreement id and the text's SHA-256.
extension Console {
    var agreementFiles: AgreementFiles { AgreementFiles(directory: environment.agreementsDirectory) }

    func editAgreement(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.changeAgreements, request, context) { person, query in
            guard let name = query["file"], let text = agreementFiles.text(of: name) else {
                return renderer.error(.notFound, title: "Edit agreement", message: "There is no agreement file of that name.", operator: person)
            }
            return editor(person, file: name, text: text, original: AgreementFiles.digest(text))
        }
    }

    func newAgreement(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.changeAgreements, request, context) { person, query in
            let taken = Set(agreementFiles.names())
            if let source = query["from"] {
                guard let name = AgreementFiles.fileName(forID: source), let text = agreementFiles.text(of: name),
                      let copy = Self.copy(text, as: Self.unusedID(source + "-draft", taken: taken)) else {
                    return renderer.error(.notFound, title: "New draft agreement",
                                          message: "There is no agreement of that id with a single top-level id and status to copy.", operator: person)
                }
                return editor(person, file: nil, text: copy, original: nil)
            }
            let text = AgreementTemplate.draft(id: Self.unusedID("new-agreement", taken: taken),
                                               set: environment.agreements.active.policy.set, today: today)
            return editor(person, file: nil, text: text, original: nil)
        }
    }

    func saveAgreement(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.changeAgreements, request, context, form: true) { person, form in
            // Browsers send a textarea's lines ending in CR LF.
            var text = (form.all("text").first ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
            let existing = form["file"]
            func refuse(_ status: HTTPResponse.Status, _ message: String, problems: [AgreementDraftCheck.Problem] = [],
                        elsewhere: [AgreementDraftCheck.Problem] = []) -> Response {
                editor(person, file: existing, text: text, original: form["original"], status: status, message: message,
                       problems: problems, elsewhere: elsewhere)
            }
            guard text.utf8.count <= AgreementFiles.maximumBytes else {
                return refuse(.contentTooLarge, "The text is \(text.utf8.count) bytes; an agreement may have at most \(AgreementFiles.maximumBytes). Nothing was saved.")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return refuse(.unprocessableContent, "The text is empty. Nothing was saved.")
            }
            // Check and write under one lock, so that two saves of a file opened from the same
            // version cannot both pass the "changed since you opened it" check.
            let outcome = AgreementFiles.saving.withLock { _ -> SaveOutcome in
                let files = agreementFiles
                let name: String
                if let existing {
                    guard let current = files.text(of: existing) else {
                        return .refused(refuse(.notFound, "There is no agreement file \(existing) any more. Nothing was saved; copy your text before leaving."))
                    }
                    guard form["original"] == AgreementFiles.digest(current) else {
                        return .refused(refuse(.conflict, "\(existing) was changed by someone else since you opened it. Nothing was saved: "
                                               + "copy your text, open the file again and make your change there."))
                    }
                    name = existing
                } else {
                    guard let id = AgreementFileEdit.value(of: "id", in: text), let fileName = AgreementFiles.fileName(forID: id) else {
                        return .refused(refuse(.unprocessableContent, "A new agreement needs a top-level id: of lowercase letters, digits, '.', '-' or '_', "
                                               + "starting with a letter (not agencies or purposes); its file is named after it. Nothing was saved."))
                    }
                    guard !files.names().contains(fileName) else {
                        return .refused(refuse(.conflict, "An agreement file \(fileName) exists already: edit that one, or choose another id. Nothing was saved."))
                    }
                    name = fileName
                }
                switch AgreementDraftCheck.check(text, as: name, in: environment.agreementsDirectory, today: today) {
                case .unreadable(let reason):
                    return .refused(refuse(.internalServerError, "The agreements directory cannot be read (\(reason)). Nothing was saved."))
                case .refused(let blocking, let elsewhere):
                    return .refused(refuse(.unprocessableContent, "\(blocking.count) problem(s) to fix before this can be saved. Nothing was saved.",
                                           problems: blocking, elsewhere: elsewhere))
                case .savable:
                    break
                }
                do throws(AgreementFiles.WriteError) { try files.write(text, as: name, creating: existing == nil) } catch {
                    switch error {
                    case .exists:
                        return .refused(refuse(.conflict, "An agreement file \(name) was created meanwhile. Nothing was saved."))
                    case .failed(let reason):
                        context.logger.error("agreement file not saved", metadata: ["actor": "\(person.actor)", "file": "\(name)", "reason": "\(reason)"])
                        return .refused(refuse(.internalServerError, "The file could not be written (\(reason)). Nothing was saved."))
                    }
                }
                return .saved(name)
            }
            let name: String
            switch outcome {
            case .refused(let response): return response
            case .saved(let saved): name = saved
            }
            context.logger.info("agreement file saved", metadata: [
                "actor": "\(person.actor)", "file": "\(name)", "agreement": "\(AgreementFileEdit.value(of: "id", in: text) ?? "")",
                "created": "\(existing == nil)", "sha256": "\(AgreementFiles.digest(text))",
            ])
            return .redirect(to: "/agreements?saved=\(name)")
        }
    }

    func editor(_ person: ConsoleOperator, file: String?, text: String, original: String?, status: HTTPResponse.Status = .ok,
                message: String? = nil, problems: [AgreementDraftCheck.Problem] = [], elsewhere: [AgreementDraftCheck.Problem] = []) -> Response {
        func rows(_ problems: [AgreementDraftCheck.Problem]) -> [[String: Any]] {
            problems.map { ["location": $0.location, "message": $0.message, "code": $0.code, "excerpt": $0.excerpt ?? ""] }
        }
        var data: [String: Any] = [
            "csrf": token(person), "file": file ?? "", "original": original ?? "", "text": text, "isNew": file == nil,
            "maximumBytes": AgreementFiles.maximumBytes, "problems": rows(problems), "hasProblems": !problems.isEmpty,
            "elsewhere": rows(elsewhere), "hasElsewhere": !elsewhere.isEmpty,
        ]
        if let message { data["message"] = message }
        return renderer.page("agreement-edit", title: file.map { "Edit \($0)" } ?? "New draft agreement", data: data,
                             operator: person, current: "/agreements", status: status)
    }

    /// `text` as a new draft named `id`: its id and status lines changed, the rest kept.
    static func copy(_ text: String, as id: String) -> String? {
        AgreementFileEdit.setting("id", to: id, in: text).flatMap { AgreementFileEdit.settingStatus(.draft, in: $0) }
    }

    /// `base`, or `base-2`, `base-3`… whichever names no agreement file yet.
    static func unusedID(_ base: String, taken: Set<String>) -> String {
        var candidate = base
        var n = 2
        while taken.contains("\(candidate).yaml") {
            candidate = "\(base)-\(n)"
            n += 1
        }
        return candidate
    }
}

/// What a save under the lock came to: the file written, or the page that says why not.
enum SaveOutcome {
    case saved(String)
    case refused(Response)
}
