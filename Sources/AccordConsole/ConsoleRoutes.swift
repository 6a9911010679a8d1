public import AccordTLS
public import AccordTLSHummingbird
import Foundation
public import Hummingbird
public import Logging
public import NIOCore
public import HummingbirdCore

/// The console's public entry points. The gateway mounts the console on its own port over
/// the same OpenSSL mutual-TLS stack as the API: `application(...)`, or `router(...)` with
/// its own `Application`.
public enum ConsoleRoutes {
    /// Every console route behind the admission middleware (operator certificates only).
    public static func router(environment: ConsoleEnvironment) throws -> Router<ConsoleRequestContext> {
        let console = try Console(environment: environment)
        let router = Router(context: ConsoleRequestContext.self)
        router.add(middleware: AdmissionMiddleware(environment: environment, renderer: console.renderer))
        router.get("/static/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: ConsoleStyle.css)))
        }
        router.get("/favicon.ico") { _, _ in Response(status: .notFound) }
        router.get("/") { request, context in try await console.home(request, context) }
        router.get("/signin") { request, context in try await console.signInForm(request, context) }
        router.post("/signin") { request, context in try await console.signIn(request, context) }
        router.post("/signout") { request, context in try await console.signOut(request, context) }
        router.get("/audit") { request, context in try await console.auditForm(request, context) }
        router.post("/audit") { request, context in try await console.auditSearch(request, context) }
        router.post("/audit/export") { request, context in try await console.auditExport(request, context) }
        router.get("/flows") { request, context in try await console.flows(request, context) }
        router.get("/held") { request, context in try await console.held(request, context) }
        router.get("/held/review") { request, context in try await console.heldContent(request, context) }
        router.post("/held/approve") { request, context in try await console.review(request, context, approve: true) }
        router.post("/held/reject") { request, context in try await console.review(request, context, approve: false) }
        router.get("/integrity") { request, context in try await console.integrity(request, context) }
        router.post("/integrity/verify") { request, context in try await console.verify(request, context) }
        router.get("/integrity/runs/{id}") { request, context in try await console.verificationRun(request, context) }
        router.get("/agencies") { request, context in try await console.agencies(request, context) }
        router.post("/agencies/reload") { request, context in try await console.reloadTrust(request, context) }
        router.get("/agreements") { request, context in try await console.agreementsPage(request, context) }
        router.post("/agreements/activate") { request, context in try await console.activate(request, context) }
        router.post("/agreements/status") { request, context in try await console.changeStatus(request, context) }
        router.get("/agreements/edit") { request, context in try await console.editAgreement(request, context) }
        router.get("/agreements/new") { request, context in try await console.newAgreement(request, context) }
        router.post("/agreements/save") { request, context in try await console.saveAgreement(request, context) }
        return router
    }

    /// The console as a Hummingbird application over OpenSSL mutual TLS, ready to run as a
    /// service beside the gateway's API. It runs the environment's `integrityRuns` too.
    /// `http` and `plaintextHandlers` carry the gateway's limits (idle timeout, header sizes,
    /// request deadline) to the console's listener too, `connectionCap` the console's share of
    /// the gateway's connection cap, and `unauthenticatedLimit` the per-source limit on
    /// connections not yet authenticated.
    public static func application(
        environment: ConsoleEnvironment, tls: TLSContextHolder, address: BindAddress, logger: Logger,
        http: HTTP1Channel.Configuration = .init(), connectionCap: ConnectionCap? = nil, unauthenticatedLimit: UnauthenticatedLimit? = nil,
        plaintextHandlers: @escaping @Sendable () -> [any ChannelHandler] = { [] },
        rejectionObserver: OpenSSLServerChannel<HTTP1Channel>.RejectionObserver? = nil,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        Application(router: try router(environment: environment),
                    server: .openSSL(http, contexts: tls, connectionCap: connectionCap, unauthenticatedLimit: unauthenticatedLimit,
                                     plaintextHandlers: plaintextHandlers, rejectionObserver: rejectionObserver),
                    configuration: .init(address: address, serverName: "accord-console"),
                    services: [environment.integrityRuns, ProofIndexWarmer(
                        store: environment.store, index: environment.proofIndex, verifier: environment.auditVerifier, logger: logger)],
                    onServerRunning: onServerRunning, logger: logger)
    }
}

/// The console's handlers over one environment.
struct Console: Sendable {
    let environment: ConsoleEnvironment
    let renderer: PageRenderer
    let csrf: CSRFToken

    init(environment: ConsoleEnvironment) throws {
        self.environment = environment
        self.csrf = CSRFToken(secret: environment.csrfSecret)
        self.renderer = try PageRenderer(csrf: csrf)
    }

    /// Runs `body` for an operator whose role permits `action`; for a form, only with its CSRF
    /// token. Everyone else gets 403.
    func guarded(
        _ action: ConsoleAction?, _ request: Request, _ context: ConsoleRequestContext, form: Bool = false,
        _ body: (ConsoleOperator, FormData) async throws -> Response
    ) async throws -> Response {
        guard let person = context.consoleOperator else {
            return renderer.error(.forbidden, title: "Not allowed", message: "A verified operator certificate is needed.", operator: nil)
        }
        if let action, !person.role.permits(action) {
            return renderer.error(.forbidden, title: "Not allowed",
                                  message: "The role \(person.role.rawValue) does not permit this page.", operator: person)
        }
        var fields = FormData(encoded: request.uri.query ?? "")
        if form {
            fields = try await FormData.read(request, context: context)
            guard csrf.isValid(fields["csrf"], for: person) else {
                return renderer.error(.forbidden, title: "Form refused",
                                      message: "The form was sent without its security token. Reload the page and try again.", operator: person)
            }
        }
        return try await body(person, fields)
    }

    func token(_ person: ConsoleOperator) -> String { csrf.token(for: person) }

    func outcome(_ person: ConsoleOperator, title: String, kind: String, message: String, details: [String] = [],
                 back: String, backLabel: String, status: HTTPResponse.Status = .ok) -> Response {
        renderer.page("outcome", title: title, data: [
            "kind": kind, "message": message, "details": details, "hasDetails": !details.isEmpty,
            "back": back, "backLabel": backLabel,
        ], operator: person, status: status)
    }

    func home(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        try await guarded(nil, request, context) { person, _ in
            let summaries: [String: String] = [
                "/audit": "Search the audit log by time, agency, agreement, event, message or subject identifier; export what you find.",
                "/flows": "Which agency sent which type of message to whom, under which agreement, over time.",
                "/held": "Messages waiting for a privacy officer's approval.",
                "/integrity": "The latest signed checkpoint, and a full verification of the log.",
                "/agencies": "The agency registry and every certificate, with expiry warnings.",
                "/agreements": "Write, review, test, compare and activate agreements; suspend one.",
            ]
            let links = ConsoleNavigation.links(for: person.role).filter { $0.path != "/" }.map {
                ["href": $0.path, "label": $0.label, "summary": summaries[$0.path] ?? ""]
            }
            return renderer.page("home", title: "Overview", data: ["name": person.name, "roleTitle": person.role.title, "links": links,
                                                            "account": person.usesAccount],
                                 operator: person, current: "/")
        }
    }
}
