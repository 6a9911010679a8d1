import AccordCore
import AccordCrypto
import AccordPolicy
import Foundation
import Hummingbird

/// The agency registry and every certificate under `Certificates/`, with expiry warnings.
extension Console {
    struct FoundCertificate {
        let file: String
        let subject: String
        let uris: [String]
        let notAfter: Date
    }

    func agencies(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.viewAgencies, request, context) { person, _ in
            let now = environment.now()
            var data: [String: Any] = [
                "certificatesDirectory": environment.certificatesDirectory.path,
                "warningDays": Int(environment.certificateWarning / 86_400),
            ]
            let registry: [Agency]
            switch proposedSet() {
            case .valid(let set, _):
                registry = set.agencies.values.sorted { $0.id < $1.id }
            case .invalid, .unreadable:
                registry = environment.agreements.active.policy.set.agencies.values.sorted { $0.id < $1.id }
                data["registryProblem"] = "The agreements directory does not validate; the registry shown is the active one."
            }
            let found = scanCertificates()
            func row(_ certificate: FoundCertificate) -> [String: Any] {
                let (state, status) = expiry(certificate.notAfter, now: now)
                return ["file": certificate.file, "subject": certificate.subject, "identity": certificate.uris.joined(separator: " "),
                        "expires": AuditTimeFormat.day(certificate.notAfter), "state": state, "status": status]
            }
            data["agencies"] = registry.map { agency -> [String: Any] in
                [
                    "id": agency.id.rawValue, "name": agency.name, "jurisdiction": agency.jurisdiction, "overseas": agency.isOverseas,
                    "certificate": agency.certificate,
                    "certificates": found.filter { $0.uris.contains(agency.certificate) }.map(row),
                ]
            }
            data["certificates"] = found.map(row)
            if let trust = environment.trust {
                data["trust"] = true
                data["canReload"] = person.role.permits(.reloadTrust)
                data["csrf"] = token(person)
                data["crls"] = await trust.revocationLists().map { list -> [String: Any] in
                    let (state, status) = crlState(list.nextUpdate, now: now)
                    return ["issuer": list.issuer, "nextUpdate": list.nextUpdate.map(AuditTimeFormat.day) ?? "none", "state": state, "status": status]
                }
            }
            return renderer.page("agencies", title: "Agencies and certificates", data: data, operator: person, current: "/agencies")
        }
    }

    /// Re-reads the gateway's trust: CAs, CRLs, its TLS certificate and the registry's bindings.
    func reloadTrust(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(.reloadTrust, request, context, form: true) { person, _ in
            guard let trust = environment.trust else {
                return renderer.error(.notFound, title: "Agencies", message: "This console is not mounted on a gateway.", operator: person)
            }
            switch await trust.reload(by: person.actor) {
            case .reloaded(let digest):
                return outcome(person, title: "Agencies", kind: "ok", message: "Certificates and CRLs reloaded: trust \(digest.prefix(16)). New connections use them now.",
                               back: "/agencies", backLabel: "Back to agencies")
            case .unchanged(let digest):
                return outcome(person, title: "Agencies", kind: "ok", message: "Nothing changed under the certificates directory: trust \(digest.prefix(16)) stays in force.",
                               back: "/agencies", backLabel: "Back to agencies")
            case .rejected(let problems):
                return outcome(person, title: "Agencies", kind: "error",
                               message: "Not reloaded: \(problems.count) problem(s). The trust in force is unchanged.", details: problems,
                               back: "/agencies", backLabel: "Back to agencies", status: .unprocessableContent)
            }
        }
    }

    /// A CRL is flagged a week before its nextUpdate, when the gateway starts warning in its log.
    func crlState(_ nextUpdate: Date?, now: Date) -> (state: String, status: String) {
        guard let nextUpdate else { return ("warn", "no nextUpdate") }
        if nextUpdate <= now { return ("bad", "LAPSED on \(AuditTimeFormat.day(nextUpdate)): publish a fresh CRL") }
        let days = Int((nextUpdate.timeIntervalSince(now) / 86_400).rounded(.down))
        if nextUpdate.timeIntervalSince(now) < 7 * 86_400 { return ("warn", "next update in \(days) day(s): publish a fresh CRL") }
        return ("ok", "current, \(days) days to next update")
    }

    func expiry(_ notAfter: Date, now: Date) -> (state: String, status: String) {
        let days = Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
        if notAfter <= now { return ("bad", "EXPIRED on \(AuditTimeFormat.day(notAfter))") }
        if notAfter.timeIntervalSince(now) < environment.certificateWarning { return ("warn", "expires in \(days) day(s)") }
        return ("ok", "valid, \(days) days left")
    }

    /// Every certificate in a `.pem` file under the certificates directory (keys skipped).
    func scanCertificates() -> [FoundCertificate] {
        let root = environment.certificatesDirectory.standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var found: [FoundCertificate] = []
        for case let url as URL in walker where url.pathExtension == "pem" && !url.lastPathComponent.contains("key") {
            guard let certificates = try? Certificate.all(pemFile: url.path) else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            for certificate in certificates {
                found.append(FoundCertificate(file: relative, subject: certificate.subject, uris: certificate.subjectAlternativeURIs,
                                              notAfter: certificate.notAfter))
            }
        }
        return found.sorted { ($0.notAfter, $0.file) < ($1.notAfter, $1.file) }
    }
}

enum AuditTimeFormat {
    static func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
