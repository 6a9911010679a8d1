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
                    "id": agency.id, "name": agency.name, "jurisdiction": agency.jurisdiction, "overseas": agency.isOverseas,
                    "certificate": agency.certificate,
                    "certificates": found.filter { $0.uris.contains(agency.certificate) }.map(row),
                ]
            }
            data["certificates"] = found.map(row)
            return renderer.page("agencies", title: "Agencies and certificates", data: data, operator: person, current: "/agencies")
        }
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
