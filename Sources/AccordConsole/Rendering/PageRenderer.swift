import Foundation
import Hummingbird
import Mustache

/// Renders console pages: a page template inside the shared layout. Every value reaches the
/// HTML through Mustache's `{{ }}`, which escapes `< > & " '`; the only unescaped insertions
/// are the rendered page body and SVG that `BarChart` builds from escaped parts.
struct PageRenderer: Sendable {
    let library: MustacheLibrary
    let csrf: CSRFToken

    init(csrf: CSRFToken) throws {
        self.csrf = csrf
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            try library.register(text, named: name)
        }
        self.library = library
    }

    /// `refresh` reloads the page after that many seconds (a meta refresh, since pages carry
    /// no script), for pages that show work in progress.
    func page(_ template: String, title: String, data: [String: Any], operator person: ConsoleOperator?,
              current: String? = nil, status: HTTPResponse.Status = .ok, refresh: Int? = nil) -> Response {
        let body = library.render(data, withTemplate: template) ?? ""
        return html(layout(title: title, body: body, operator: person, current: current, refresh: refresh), status: status)
    }

    func error(_ status: HTTPResponse.Status, title: String, message: String, operator person: ConsoleOperator?) -> Response {
        page("error", title: title, data: ["message": message, "status": "\(status.code) \(status.reasonPhrase)"],
             operator: person, status: status)
    }

    private func layout(title: String, body: String, operator person: ConsoleOperator?, current: String?, refresh: Int?) -> String {
        var data: [String: Any] = ["title": title, "body": body]
        if let refresh { data["refresh"] = refresh }
        if let person {
            let links = ConsoleNavigation.links(for: person.role).map { link -> [String: Any] in
                ["href": link.path, "label": link.label, "current": link.path == current]
            }
            var details: [String: Any] = ["name": person.name, "roleTitle": person.role.title, "nav": links]
            if person.usesAccount { details["signOut"] = csrf.token(for: person) }
            data["operator"] = details
        }
        return library.render(data, withTemplate: "layout") ?? ""
    }

    private func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The console's pages and the action each needs.
enum ConsoleNavigation {
    struct Link {
        let path: String
        let label: String
        let action: ConsoleAction?
    }

    static let all: [Link] = [
        Link(path: "/", label: "Overview", action: nil),
        Link(path: "/audit", label: "Audit search", action: .searchAudit),
        Link(path: "/flows", label: "Flows", action: .viewFlows),
        Link(path: "/held", label: "Held messages", action: .reviewHeld),
        Link(path: "/integrity", label: "Integrity", action: .viewIntegrity),
        Link(path: "/agencies", label: "Agencies and certificates", action: .viewAgencies),
        Link(path: "/agreements", label: "Agreements", action: .viewAgreements),
    ]

    static func links(for role: OperatorRole) -> [Link] {
        all.filter { $0.action.map(role.permits) ?? true }
    }
}
